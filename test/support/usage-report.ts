import { randomUUID } from "node:crypto";
import { connectorUsageReportSchema, type ConnectorUsageReport } from "@switchboard/contracts";
import { testPrice } from "./completed-fact.js";

/**
 * A valid connector usage report (fresh ids unless given); 1000 + 1000 tokens at `testPrice` cost 750 µ$,
 * like `completedFact`. `origin` fields are merged into the default origin.
 */
export function usageReport(overrides: Partial<Omit<ConnectorUsageReport, "origin">> & { origin?: Partial<ConnectorUsageReport["origin"]> } = {}): ConnectorUsageReport {
  const { origin, ...rest } = overrides;
  return connectorUsageReportSchema.parse({
    generationId: `gen-${randomUUID()}`,
    origin: { ingressId: "ingress-test", accountId: randomUUID(), keyId: randomUUID(), attempt: 0, ...origin },
    endpointId: "openai/gpt-4o-mini@openai",
    modelId: "openai/gpt-4o-mini",
    providerId: "openai",
    providerName: "OpenAI",
    price: testPrice,
    usage: { promptTokens: 1000, completionTokens: 1000, cachedPromptTokens: 0, reasoningTokens: 0 },
    usageEstimated: false,
    finishReason: "stop",
    outcome: "completed",
    ingressSilent: false,
    streamed: true,
    upstreamId: "chatcmpl-test",
    latencyMs: 420,
    timeToFirstTokenMs: 100,
    startedAt: new Date().toISOString(),
    ...rest,
  });
}
