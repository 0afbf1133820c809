import { describe, expect, it } from "vitest";
import { connectorUsageReportSchema, type ConnectorUsageReport } from "./connector-usage-report.js";
import { generationCompletedSchema } from "./generation-completed.js";
import { reportCompletionFact } from "./report-completion-fact.js";

const report: ConnectorUsageReport = connectorUsageReportSchema.parse({
  generationId: "gen-00000000-0000-4000-8000-000000000004",
  origin: { ingressId: "ingress-a", accountId: "00000000-0000-4000-8000-000000000001", keyId: "00000000-0000-4000-8000-000000000002", attempt: 0 },
  endpointId: "fake/echo@fake",
  modelId: "fake/echo",
  providerId: "fake",
  providerName: "Fake",
  price: { promptPicosPerToken: "1000000", completionPicosPerToken: "2000000" },
  usage: { promptTokens: 12, completionTokens: 7, cachedPromptTokens: 0, reasoningTokens: 0 },
  usageEstimated: false,
  finishReason: "stop",
  outcome: "completed",
  ingressSilent: false,
  streamed: true,
  upstreamId: "chatcmpl-1",
  latencyMs: 10,
  timeToFirstTokenMs: 5,
  startedAt: "2026-11-30T18:00:00.000Z",
});

describe("reportCompletionFact", () => {
  it("is a valid completion fact with the report's ids, usage and price, settled by reservation when no lease is named", () => {
    const fact = reportCompletionFact(report, 26);
    expect(generationCompletedSchema.parse(fact)).toEqual(fact);
    expect(fact).toMatchObject({ generationId: report.generationId, accountId: report.origin.accountId, keyId: report.origin.keyId, usage: report.usage, price: report.price, status: "success" });
    expect(fact.lease).toBeUndefined();
  });

  it("names the lease hold, consuming the cost, and maps how the attempt ended to the fact's status", () => {
    const leased = { ...report, outcome: "aborted" as const, origin: { ...report.origin, lease: { leaseId: "00000000-0000-4000-8000-000000000003", holdMicros: 500 } } };
    expect(reportCompletionFact(leased, 26)).toMatchObject({ status: "cancelled", lease: { leaseId: leased.origin.lease.leaseId, holdMicros: 500, consumedMicros: 26 } });
    expect(reportCompletionFact({ ...report, outcome: "failed" }, 26).status).toBe("error");
  });

  it("carries the API the attempt served, and leaves it out for a report older than the field (issue 11)", () => {
    expect(reportCompletionFact({ ...report, apiType: "embeddings" }, 26).apiType).toBe("embeddings");
    expect(reportCompletionFact(report, 26)).not.toHaveProperty("apiType");
  });
});
