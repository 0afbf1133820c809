import { listModelEndpointsReplySchema, type EndpointHealth, type RoutingModel } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { routeCandidate } from "../generation/route-candidate.test-support.js";
import { buildModelEndpointsListing } from "./build-model-endpoints-listing.js";

const model: RoutingModel = {
  id: "acme/one",
  name: "Acme: One",
  description: "A model.",
  contextLength: 8_000,
  inputModalities: ["text", "image"],
  outputModalities: ["text"],
  endpoints: [
    routeCandidate("acme/one@dear", { providerName: "Dear Inc", price: { promptPicosPerToken: "3000000", completionPicosPerToken: "4000000" }, quantization: "fp8" }),
    routeCandidate("acme/one@cheap", {
      providerName: "Cheap Co",
      price: { promptPicosPerToken: "150000", completionPicosPerToken: "600000", cacheReadPicosPerToken: "75000" },
      supportedParameters: ["tools"],
      dataPolicy: { training: true, retainsPrompts: true, retentionDays: 30, zdr: false },
    }),
  ],
  unconfiguredProviders: [],
};

describe("buildModelEndpointsListing", () => {
  it("lists a model's endpoints cheapest first in OpenRouter's shape, with prices per token and data policies", () => {
    const listing = buildModelEndpointsListing(model, "2026-01-02T03:04:05.000Z");
    expect(listModelEndpointsReplySchema.parse(listing)).toEqual(listing);
    expect(listing.data).toMatchObject({ id: "acme/one", name: "Acme: One", created: 1767323045, architecture: { modality: "text+image->text" } });
    expect(listing.data.endpoints.map((endpoint) => endpoint.tag)).toEqual(["cheap", "dear"]);
    expect(listing.data.endpoints[0]).toEqual({
      name: "Cheap Co | acme/one",
      model_id: "acme/one",
      model_name: "Acme: One",
      provider_name: "Cheap Co",
      tag: "cheap",
      context_length: 8_000,
      max_completion_tokens: 1_000,
      max_prompt_tokens: null,
      // Reasoning tokens cost the completion price (the catalog gives none of their own); cache reads their own.
      pricing: { prompt: "0.00000015", completion: "0.0000006", request: "0", image: "0", web_search: "0", internal_reasoning: "0.0000006", input_cache_read: "0.000000075" },
      quantization: null,
      supported_parameters: ["tools"],
      supports_implicit_caching: false,
      // Not measured before the health slice of issue 9.
      status: null,
      uptime_last_5m: null,
      uptime_last_30m: null,
      uptime_last_1d: null,
      latency_last_30m: null,
      throughput_last_30m: null,
      data_policy: { training: true, retains_prompts: true, retention_days: 30, zdr: false },
    });
    expect(listing.data.endpoints[1]?.quantization).toBe("fp8");
  });

  it("shows status and 5-minute uptime from the snapshot's health where the router measured them (issue 9)", () => {
    const ejected = {
      status: "ejected" as const,
      ejectedUntil: "2026-01-02T03:04:35.000Z",
      uptimeLast30Seconds: 0,
      uptimeLast5Minutes: 0.75,
      latencyP50Milliseconds: 300,
      throughputP50TokensPerSecond: 40,
      requestsLast5Minutes: 8,
    };
    const listing = buildModelEndpointsListing(model, "2026-01-02T03:04:05.000Z", new Map([["acme/one@dear", ejected]]));
    expect(listModelEndpointsReplySchema.parse(listing)).toEqual(listing);
    const [cheap, dear] = listing.data.endpoints;
    expect(cheap).toMatchObject({ tag: "cheap", status: null, uptime_last_5m: null });
    expect(dear).toMatchObject({ tag: "dear", status: -1, uptime_last_5m: 75, uptime_last_30m: null, latency_last_30m: null });
    const healthy = buildModelEndpointsListing(model, "2026-01-02T03:04:05.000Z", new Map([["acme/one@dear", { ...ejected, status: "healthy" as const, ejectedUntil: null, uptimeLast5Minutes: null }]]));
    expect(healthy.data.endpoints[1]).toMatchObject({ status: 0, uptime_last_5m: null });
  });

  it("shows 30-minute and day uptime as percentages and 30-minute latency and throughput percentiles, null where unmeasured", () => {
    const latency = { p50: 250, p75: 310, p90: 480, p99: 850 };
    const throughput = { p50: 45.2, p75: 38.5, p90: 28.3, p99: 15.1 };
    const measured: EndpointHealth = {
      status: "healthy",
      ejectedUntil: null,
      uptimeLast30Seconds: 1,
      uptimeLast5Minutes: 1,
      latencyP50Milliseconds: 250,
      throughputP50TokensPerSecond: 45,
      requestsLast5Minutes: 12,
      uptimeLast30Minutes: 0.995,
      uptimeLastDay: 0.8667,
      latencyLast30Minutes: latency,
      throughputLast30Minutes: throughput,
    };
    const listing = buildModelEndpointsListing(
      model,
      "2026-01-02T03:04:05.000Z",
      new Map([
        ["acme/one@cheap", measured],
        ["acme/one@dear", { ...measured, uptimeLast30Minutes: null, uptimeLastDay: null, latencyLast30Minutes: null, throughputLast30Minutes: null }],
      ]),
    );
    expect(listModelEndpointsReplySchema.parse(listing)).toEqual(listing);
    const [cheap, dear] = listing.data.endpoints;
    expect(cheap).toMatchObject({ uptime_last_5m: 100, uptime_last_30m: 99.5, uptime_last_1d: 86.67, latency_last_30m: latency, throughput_last_30m: throughput });
    expect(dear).toMatchObject({ uptime_last_30m: null, uptime_last_1d: null, latency_last_30m: null, throughput_last_30m: null });
  });
});
