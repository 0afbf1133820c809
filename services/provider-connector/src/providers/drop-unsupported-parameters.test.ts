import type { ChatRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { dropUnsupportedParameters } from "./drop-unsupported-parameters.js";

const request = {
  model: "vendor/model",
  messages: [{ role: "user", content: "Hi" }],
  temperature: 0.4,
  top_k: 20,
  seed: 7,
  max_tokens: 50,
  tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
} as ChatRequest;

describe("dropUnsupportedParameters", () => {
  it("leaves out what the endpoint does not list, naming each without its value, and keeps messages, routing fields and the output cap", () => {
    const { body, warnings } = dropUnsupportedParameters(request, ["temperature", "tools"]);
    expect(body).toEqual({ model: "vendor/model", messages: request.messages, temperature: 0.4, max_tokens: 50, tools: request.tools });
    expect(warnings).toEqual([
      { type: "unsupported-parameter", parameter: "top_k" },
      { type: "unsupported-parameter", parameter: "seed" },
    ]);
  });

  it("keeps everything when the endpoint lists every parameter used", () => {
    expect(dropUnsupportedParameters(request, ["temperature", "top_k", "seed", "tools"])).toEqual({ body: request, warnings: [] });
  });

  it("changes nothing for an endpoint whose catalog entry lists no parameters", () => {
    expect(dropUnsupportedParameters(request, [])).toEqual({ body: request, warnings: [] });
  });

  it("does not warn about a parameter sent as null", () => {
    expect(dropUnsupportedParameters({ ...request, top_k: null, seed: undefined } as unknown as ChatRequest, ["temperature", "tools"]).warnings).toEqual([]);
  });
});
