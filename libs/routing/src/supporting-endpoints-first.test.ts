import type { EndpointHealth } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { createRoutingTable } from "./routing-table.js";
import { modelAEndpoint } from "./model-a-endpoint.test-support.js";
import { selectRoute } from "./select-route.js";
import { supportingEndpointsFirst } from "./supporting-endpoints-first.js";

// Cheapest first: plain, then tools-only, then json (response_format), then both.
const plain = modelAEndpoint("plain", "1000000", "1000000", { supportedParameters: ["temperature"] });
const tools = modelAEndpoint("tools", "2000000", "2000000", { supportedParameters: ["tools", "tool_choice"] });
const json = modelAEndpoint("json", "3000000", "3000000", { supportedParameters: ["response_format"] });
const both = modelAEndpoint("both", "4000000", "4000000", { supportedParameters: ["tools", "tool_choice", "response_format"] });
const ranked = [plain, tools, json, both];

/** Request parameters → the order tried: supporting endpoints first, each group in ranked order. */
const table: { parameters: string[] | undefined; tried: string[] }[] = [
  { parameters: undefined, tried: ["plain", "tools", "json", "both"] },
  { parameters: ["temperature", "max_tokens"], tried: ["plain", "tools", "json", "both"] },
  { parameters: ["tools"], tried: ["tools", "both", "plain", "json"] },
  { parameters: ["tools", "tool_choice"], tried: ["tools", "both", "plain", "json"] },
  { parameters: ["response_format"], tried: ["json", "both", "plain", "tools"] },
  { parameters: ["tools", "response_format", "temperature"], tried: ["both", "plain", "tools", "json"] },
];

describe("supportingEndpointsFirst: OpenRouter's soft filter for tools and response_format (issue 9)", () => {
  it.each(table)("$parameters → $tried", ({ parameters, tried }) => {
    expect(supportingEndpointsFirst(ranked, parameters).map((endpoint) => endpoint.providerId)).toEqual(tried);
  });

  it("counts verbosity among them, as OpenRouter does", () => {
    const verbose = modelAEndpoint("verbose", "9000000", "9000000", { supportedParameters: ["verbosity"] });
    expect(supportingEndpointsFirst([plain, verbose], ["verbosity"])).toEqual([verbose, plain]);
  });

  it("keeps an ejected endpoint last even when it is the one that supports them", () => {
    const health = new Map([[tools.endpointId, { status: "ejected" } as EndpointHealth]]);
    expect(supportingEndpointsFirst([plain, tools, both], ["tools"], health).map((endpoint) => endpoint.providerId)).toEqual(["both", "plain", "tools"]);
  });

  it("leaves the order alone when no endpoint supports them: nothing is filtered out", () => {
    expect(supportingEndpointsFirst([plain, json], ["tools"])).toEqual([plain, json]);
  });
});

describe("selectRoute with the soft filter", () => {
  const catalog = createRoutingTable({
    models: [{ id: "vendor/model-a", name: "a", description: "", contextLength: 8000, inputModalities: ["text"], outputModalities: ["text"], endpoints: ranked, unconfiguredProviders: [] }],
  });
  const tried = (request: Parameters<typeof selectRoute>[1]) => selectRoute(catalog, request).candidates.map((endpoint) => endpoint.providerId);

  it("tries supporting endpoints first without require_parameters, keeping the others as fallbacks", () => {
    expect(tried({ models: ["vendor/model-a"], parameters: ["tools"] })).toEqual(["tools", "both", "plain", "json"]);
  });

  it("gives the best supporting endpoint the only place when fallbacks are not allowed", () => {
    expect(tried({ models: ["vendor/model-a"], parameters: ["response_format"], provider: { allow_fallbacks: false } })).toEqual(["json"]);
  });

  it("keeps an explicit order, and require_parameters still filters", () => {
    expect(tried({ models: ["vendor/model-a"], parameters: ["tools"], provider: { order: ["plain"] } })).toEqual(["plain", "tools", "json", "both"]);
    expect(tried({ models: ["vendor/model-a"], parameters: ["tools"], provider: { require_parameters: true } })).toEqual(["tools", "both"]);
  });

  it("applies across models with sort partition none", () => {
    expect(tried({ models: ["vendor/model-a"], parameters: ["tools"], provider: { sort: { by: "price", partition: "none" } } })).toEqual(["tools", "both", "plain", "json"]);
  });
});
