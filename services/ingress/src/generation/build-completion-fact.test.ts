import { gatewayError, gatewayErrorCodes, generationCompletedSchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { buildCompletionFact, type CompletionState } from "./build-completion-fact.js";
import { noUsage } from "./chargeable-usage.js";
import { routeCandidate } from "./route-candidate.test-support.js";

const candidate = routeCandidate("model@provider");
const usage = { promptTokens: 3, completionTokens: 4, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

function state(overrides: Partial<CompletionState> = {}): CompletionState {
  return {
    generationId: "gen-00000000-0000-4000-8000-000000000000",
    key: { accountId: "account-1", keyId: "key-1" },
    requestedModel: "model",
    candidate,
    held: { amountMicros: 1_000, candidates: [candidate] },
    charge: { usage, estimated: false },
    accumulator: { finishReason: "length", nativeFinishReason: "max_tokens", upstreamId: "up-1" },
    failure: null,
    cancelled: false,
    streamed: true,
    attempts: [{ endpointId: candidate.endpointId, providerId: candidate.providerId, status: 200, errorCode: null }],
    apiType: "completions",
    startedAt: Date.parse("2026-11-30T10:00:00.000Z"),
    latencyMs: 12.4,
    timeToFirstTokenMs: 3.6,
    ...overrides,
  };
}

describe("buildCompletionFact", () => {
  it("records a success with the serving endpoint, its price, the charge and rounded timings", () => {
    const fact = buildCompletionFact(state());
    expect(generationCompletedSchema.parse(fact)).toEqual(fact);
    expect(fact).toMatchObject({
      modelId: "model",
      providerId: "provider",
      endpointId: "model@provider",
      price: candidate.price,
      usage,
      usageEstimated: false,
      status: "success",
      errorCode: null,
      finishReason: "length",
      nativeFinishReason: "max_tokens",
      upstreamId: "up-1",
      latencyMs: 12,
      timeToFirstTokenMs: 4,
      createdAt: "2026-11-30T10:00:00.000Z",
    });
  });

  it("records a failure with its code and an error finish", () => {
    const failure = gatewayError(gatewayErrorCodes.upstreamError, 502, "boom", { retryable: true });
    expect(buildCompletionFact(state({ failure, charge: { usage: noUsage, estimated: false } }))).toMatchObject({ status: "error", errorCode: "upstream_error", finishReason: "error" });
  });

  it("names the API the client called, as OpenRouter's generation api_type (issue 11)", () => {
    expect(buildCompletionFact(state()).apiType).toBe("completions");
    const embeddings = buildCompletionFact(state({ apiType: "embeddings" }));
    expect(generationCompletedSchema.parse(embeddings).apiType).toBe("embeddings");
  });

  it("records a cancel without a finish reason", () => {
    expect(buildCompletionFact(state({ cancelled: true }))).toMatchObject({ status: "cancelled", finishReason: null });
  });

  it("names the requested model and no provider when no candidate was ever chosen", () => {
    const fact = buildCompletionFact(state({ candidate: undefined, requestedModel: "asked/model", timeToFirstTokenMs: null }));
    expect(fact).toMatchObject({ modelId: "asked/model", providerId: null, providerName: null, endpointId: null, price: { promptPicosPerToken: "0", completionPicosPerToken: "0" }, timeToFirstTokenMs: null });
  });

  it("finishes with stop when the provider gave no reason", () => {
    expect(buildCompletionFact(state({ accumulator: { finishReason: null, nativeFinishReason: null, upstreamId: null } })).finishReason).toBe("stop");
  });
});
