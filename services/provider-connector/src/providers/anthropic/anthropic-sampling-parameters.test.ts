import { gatewayErrorCodes, SwitchboardError, type ChatRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { anthropicAdapter } from "./anthropic-adapter.js";
import { anthropicSamplingParameters } from "./anthropic-sampling-parameters.js";

const messages = [{ role: "user" as const, content: "Hi" }];

function refusalOf(run: () => unknown): SwitchboardError {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof SwitchboardError) return thrown;
    throw thrown;
  }
  throw new Error("expected a refusal");
}

describe("anthropicSamplingParameters", () => {
  it("sends temperature in 0–1, top_p and top_k as they are under 2023-06-01", () => {
    expect(anthropicSamplingParameters({ messages, temperature: 1, top_p: 0.9, top_k: 40 } as ChatRequest, "2023-06-01")).toEqual({
      fields: { temperature: 1, top_p: 0.9, top_k: 40 },
      warnings: [],
    });
  });

  it("drops, never clamps, a temperature above 1 under 2023-06-01, naming it", () => {
    expect(anthropicSamplingParameters({ messages, temperature: 1.5, top_p: 0.5 } as ChatRequest, "2023-06-01")).toEqual({
      fields: { top_p: 0.5 },
      warnings: [{ type: "unsupported-parameter", parameter: "temperature" }],
    });
  });

  it("refuses a temperature above 1 with a 400 naming it when the request requires its parameters", () => {
    const refusal = refusalOf(() => anthropicSamplingParameters({ messages, temperature: 1.5, provider: { require_parameters: true } } as ChatRequest, "2023-06-01"));
    expect(refusal.error).toMatchObject({ code: gatewayErrorCodes.unsupportedParameter, status: 400, retryable: true, metadata: { parameter: "temperature" } });
    expect(refusal.error.message).toContain("temperature");
  });

  it("drops temperature, top_p and top_k under 2026-10-21 (and later versions), naming each", () => {
    for (const version of ["2026-10-21", "2027-01-05"]) {
      expect(anthropicSamplingParameters({ messages, temperature: 0.2, top_p: 0.9, top_k: 5 } as ChatRequest, version)).toEqual({
        fields: {},
        warnings: ["temperature", "top_p", "top_k"].map((parameter) => ({ type: "unsupported-parameter", parameter })),
      });
    }
  });

  it("refuses top_p under 2026-10-21 when the request requires its parameters", () => {
    const refusal = refusalOf(() => anthropicSamplingParameters({ messages, top_p: 0.9, provider: { require_parameters: true } } as ChatRequest, "2026-10-21"));
    expect(refusal.error).toMatchObject({ status: 400, metadata: { parameter: "top_p" } });
  });
});

describe("anthropic adapter: api_version", () => {
  const input = { upstreamModel: "claude-x", stream: false, maxCompletionTokens: 100, baseUrl: "https://api.anthropic.com" };

  it("sends 2023-06-01 when the catalog names no version, and the catalog's version otherwise", () => {
    expect(anthropicAdapter.toUpstreamRequest({ ...input, body: { messages } }).headers["anthropic-version"]).toBe("2023-06-01");
    const request = anthropicAdapter.toUpstreamRequest({ ...input, apiVersion: "2026-10-21", body: { messages, temperature: 0.5 } as ChatRequest });
    expect(request.headers["anthropic-version"]).toBe("2026-10-21");
    expect(request.body).not.toHaveProperty("temperature");
    expect(request.warnings).toEqual([{ type: "unsupported-parameter", parameter: "temperature" }]);
  });
});
