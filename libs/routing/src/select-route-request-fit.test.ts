import { describe, expect, it } from "vitest";
import { SwitchboardError, type RouteCandidate, type RouteRequest, type RoutingModel } from "@switchboard/contracts";
import { modelAEndpoint } from "./model-a-endpoint.test-support.js";
import { createRoutingTable } from "./routing-table.js";
import { selectRoute } from "./select-route.js";

function model(id: string, inputModalities: string[], endpoints: RouteCandidate[]): RoutingModel {
  return { id, name: id, description: "", contextLength: 8000, inputModalities, outputModalities: ["text"], endpoints, unconfiguredProviders: [] };
}

/** An endpoint of `modelId` with the given context window; prices in picodollars per token, `small` cheapest. */
function endpoint(modelId: string, providerId: string, contextLength: number, overrides: Partial<RouteCandidate> = {}): RouteCandidate {
  const price = { small: "1000000", large: "2000000", huge: "3000000" }[providerId] ?? "500000";
  return modelAEndpoint(providerId, price, price, { endpointId: `${modelId}@${providerId}`, modelId, contextLength, ...overrides });
}

const catalog = createRoutingTable({
  models: [
    model("vendor/text", ["text"], [endpoint("vendor/text", "small", 1_000), endpoint("vendor/text", "large", 4_000), endpoint("vendor/text", "huge", 16_000, { dataPolicy: { training: true, retainsPrompts: true, retentionDays: 30, zdr: false } })]),
    model("vendor/vision", ["text", "image"], [endpoint("vendor/vision", "small", 2_000)]),
    model("vendor/omni", ["text", "image", "file", "audio"], [endpoint("vendor/omni", "omni", 32_000)]),
  ],
});

const route = (request: Partial<RouteRequest> & { models: string[] }) => selectRoute(catalog, request);
const tried = (request: Partial<RouteRequest> & { models: string[] }) => route(request).candidates.map((candidate) => candidate.endpointId);
const skipped = (request: Partial<RouteRequest> & { models: string[] }) => Object.fromEntries(route(request).skipped.map((endpoint) => [endpoint.endpointId, endpoint.reason]));

function routeError(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof SwitchboardError) return error.error;
    throw error;
  }
  throw new Error("expected a routing error");
}

/** One row per case: what the request needs, the endpoints tried, and why each other one was left out. */
const fitTable: { case: string; request: Partial<RouteRequest> & { models: string[] }; tried: string[]; skipped: Record<string, string> }[] = [
  { case: "no context given: nothing is checked", request: { models: ["vendor/text"] }, tried: ["vendor/text@small", "vendor/text@large", "vendor/text@huge"], skipped: {} },
  {
    case: "a prompt that fits every window",
    request: { models: ["vendor/text"], context: { promptTokens: 900, outputTokens: 100 } },
    tried: ["vendor/text@small", "vendor/text@large", "vendor/text@huge"],
    skipped: {},
  },
  {
    case: "prompt + output one token over the smallest window",
    request: { models: ["vendor/text"], context: { promptTokens: 900, outputTokens: 101 } },
    tried: ["vendor/text@large", "vendor/text@huge"],
    skipped: { "vendor/text@small": "context_length" },
  },
  {
    case: "the output alone counts too",
    request: { models: ["vendor/text"], context: { promptTokens: 10, outputTokens: 5_000 } },
    tried: ["vendor/text@huge"],
    skipped: { "vendor/text@small": "context_length", "vendor/text@large": "context_length" },
  },
  {
    case: "another filter is named before the context (the endpoint would not serve anyway)",
    request: { models: ["vendor/text"], provider: { data_collection: "deny" }, context: { promptTokens: 10, outputTokens: 5_000 } },
    tried: [],
    skipped: { "vendor/text@small": "context_length", "vendor/text@large": "context_length", "vendor/text@huge": "data_policy:training" },
  },
  {
    case: "a model too small for the prompt gives way to the next model of `models`",
    request: { models: ["vendor/vision", "vendor/text"], context: { promptTokens: 3_000, outputTokens: 0 } },
    tried: ["vendor/text@large", "vendor/text@huge"],
    skipped: { "vendor/vision@small": "context_length", "vendor/text@small": "context_length" },
  },
  {
    case: "images go only to models that take images",
    request: { models: ["vendor/text", "vendor/vision"], inputModalities: ["image"] },
    tried: ["vendor/vision@small"],
    skipped: { "vendor/text@small": "input_modalities", "vendor/text@large": "input_modalities", "vendor/text@huge": "input_modalities" },
  },
  {
    case: "every modality the request carries must be the model's",
    request: { models: ["vendor/vision", "vendor/omni"], inputModalities: ["image", "audio"] },
    tried: ["vendor/omni@omni"],
    skipped: { "vendor/vision@small": "input_modalities" },
  },
  { case: "a text-only request may go to any model", request: { models: ["vendor/omni"], inputModalities: [] }, tried: ["vendor/omni@omni"], skipped: {} },
];

describe("selectRoute: context length and input modalities (issue 9)", () => {
  it.each(fitTable)("$case", ({ request, tried: expected, skipped: reasons }) => {
    if (expected.length === 0) {
      expect(new Set(routeError(() => route(request)).metadata?.["excluded_by"] as string[])).toEqual(new Set(Object.values(reasons)));
      return;
    }
    expect(tried(request)).toEqual(expected);
    expect(skipped(request)).toEqual(reasons);
  });

  it("refuses with OpenRouter's 400 context-length error when no window of any requested model fits", () => {
    const error = routeError(() => route({ models: ["vendor/vision", "vendor/text"], context: { promptTokens: 15_000, outputTokens: 1_500 } }));
    expect(error).toMatchObject({
      status: 400,
      code: "invalid_request",
      metadata: { maximum_context_length: 16_000, requested_tokens: 16_500, prompt_tokens: 15_000, output_tokens: 1_500, excluded_by: ["context_length"] },
    });
    expect(error.message).toBe(
      "This endpoint's maximum context length is 16000 tokens. However, you requested about 16500 tokens (15000 of text input, 1500 in the output). Please reduce the length of either one.",
    );
  });

  it("answers the context-length 400 even when other endpoints were left out for other reasons", () => {
    const error = routeError(() => route({ models: ["vendor/text"], provider: { data_collection: "deny" }, context: { promptTokens: 5_000, outputTokens: 0 } }));
    expect(error).toMatchObject({ status: 400, metadata: { maximum_context_length: 4_000 } });
    expect(new Set(error.metadata?.["excluded_by"] as string[])).toEqual(new Set(["context_length", "data_policy:training"]));
  });

  it("refuses with OpenRouter's 404 when no requested model takes the request's images", () => {
    const error = routeError(() => route({ models: ["vendor/text"], inputModalities: ["image"] }));
    expect(error).toMatchObject({ status: 404, code: "no_endpoints", metadata: { models: ["vendor/text"], excluded_by: ["input_modalities"] } });
    expect(error.message).toMatch(/^No endpoints found that support image input\./);
  });

  it("names the modality among the reasons when other filters emptied the other models", () => {
    const error = routeError(() => route({ models: ["vendor/text", "vendor/vision"], inputModalities: ["image"], provider: { ignore: ["small"] } }));
    expect(error).toMatchObject({ status: 404, code: "no_endpoints" });
    expect(error.message).toContain('"vendor/text" does not take image input');
    expect(new Set(error.metadata?.["excluded_by"] as string[])).toEqual(new Set(["input_modalities", "ignored"]));
  });
});
