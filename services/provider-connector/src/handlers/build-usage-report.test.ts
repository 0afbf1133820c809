import { connectorUsageReportSchema, estimateUsage, type GenerateRequest, type RouteCandidate } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { buildUsageReport, type FinishedAttempt } from "./build-usage-report.js";

const candidate: RouteCandidate = {
  endpointId: "fake/echo@fake",
  modelId: "fake/echo",
  providerId: "fake",
  providerName: "Fake",
  api: "openai",
  baseUrl: "http://127.0.0.1:1/v1",
  apiKeyEnv: null,
  upstreamModel: "fake-model-1",
  price: { promptPicosPerToken: "1000000", completionPicosPerToken: "2000000" },
  contextLength: 8_192,
  maxCompletionTokens: 1_024,
  supportedParameters: [],
  dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: true },
};

const origin = {
  ingressId: "ingress-a",
  accountId: "00000000-0000-4000-8000-000000000001",
  keyId: "00000000-0000-4000-8000-000000000002",
  attempt: 1,
  lease: { leaseId: "00000000-0000-4000-8000-000000000003", holdMicros: 5_000 },
};

const request: GenerateRequest & { origin: typeof origin } = {
  generationId: "gen-00000000-0000-4000-8000-000000000004",
  endpointId: candidate.endpointId,
  body: { model: "fake/echo", messages: [{ role: "user", content: "a secret prompt" }] },
  stream: true,
  maxCompletionTokens: 10,
  replyTo: "_INBOX.test",
  origin,
};

function attempt(overrides: Partial<FinishedAttempt> = {}): FinishedAttempt {
  return {
    request,
    candidate,
    progress: { usage: { promptTokens: 12, completionTokens: 7, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, outputBytes: 30 },
    outputSent: true,
    finishReason: "length",
    upstreamId: "chatcmpl-1",
    outcome: "completed",
    ingressSilent: false,
    startedAt: Date.parse("2026-11-30T18:00:00.000Z"),
    latencyMs: 1234.4,
    timeToFirstTokenMs: 99.6,
    ...overrides,
  };
}

describe("buildUsageReport", () => {
  it("reports a completed attempt with the provider's usage, the ids it was given and no text", () => {
    const report = buildUsageReport(attempt());
    expect(connectorUsageReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      generationId: request.generationId,
      origin,
      endpointId: candidate.endpointId,
      price: candidate.price,
      usage: { promptTokens: 12, completionTokens: 7 },
      usageEstimated: false,
      finishReason: "length",
      outcome: "completed",
      latencyMs: 1234,
      timeToFirstTokenMs: 100,
      startedAt: "2026-11-30T18:00:00.000Z",
      apiType: "completions",
    });
    expect(JSON.stringify(report)).not.toContain("secret prompt");
  });

  it("names an embeddings attempt's API, so its generation record says embeddings (issue 11)", () => {
    const embeddings: GenerateRequest & { origin: typeof origin } = {
      generationId: request.generationId,
      endpointId: candidate.endpointId,
      operation: "embeddings",
      body: { model: "fake/echo", input: "a secret input" },
      replyTo: "_INBOX.test",
      origin,
    };
    const report = buildUsageReport(attempt({ request: embeddings, progress: { usage: { promptTokens: 4, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, outputBytes: 0 } }));
    expect(connectorUsageReportSchema.parse(report)).toMatchObject({ apiType: "embeddings", streamed: false });
  });

  it("estimates usage from the output sent when the provider gave none (an attempt stopped mid-stream), capped by the output limit", () => {
    const report = buildUsageReport(attempt({ progress: { usage: null, outputBytes: 400 }, outcome: "aborted", ingressSilent: true }));
    const promptBytes = Buffer.byteLength(JSON.stringify(request.body), "utf8");
    expect(report).toMatchObject({ usage: estimateUsage(promptBytes, 400, 10), usageEstimated: true, outcome: "aborted", ingressSilent: true, finishReason: null });
    expect(report?.usage.completionTokens).toBe(10);
  });

  it("reports nothing for an attempt that failed or stopped before any output: ingress may still fall back", () => {
    expect(buildUsageReport(attempt({ outputSent: false, outcome: "failed" }))).toBeNull();
    expect(buildUsageReport(attempt({ outputSent: false, outcome: "aborted" }))).toBeNull();
    expect(buildUsageReport(attempt({ outputSent: true, outcome: "failed", finishReason: null }))).toMatchObject({ outcome: "failed" });
    // A completed answer without output deltas still charged its prompt.
    expect(buildUsageReport(attempt({ outputSent: false }))).toMatchObject({ outcome: "completed" });
  });

  it("charges at the price ingress reserved with when the origin names one, not the connector's newer catalog price", () => {
    const reservedPrice = { promptPicosPerToken: "500000", completionPicosPerToken: "900000" };
    const report = buildUsageReport(attempt({ request: { ...request, origin: { ...origin, price: reservedPrice } } }));
    expect(report?.price).toEqual(reservedPrice);
    expect(connectorUsageReportSchema.parse(report)).toEqual(report);
  });
});
