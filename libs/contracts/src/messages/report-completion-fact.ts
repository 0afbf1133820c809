import type { ConnectorUsageReport } from "./connector-usage-report.js";
import { generationStatuses, type GenerationCompleted, type GenerationStatus } from "./generation-completed.js";

const statusByOutcome: Record<ConnectorUsageReport["outcome"], GenerationStatus> = {
  completed: generationStatuses.success,
  failed: generationStatuses.error,
  aborted: generationStatuses.cancelled,
};

/**
 * The completion fact a connector's usage report stands for when ingress never published one (issue 10):
 * the same ids, hold and usage, so billing settles it exactly like ingress's fact (reservation or lease,
 * late charge after expiry, anomalies, one charge per generation id) and metadata-logging records the
 * same row. A lease hold consumes the generation's cost, as ingress's own fact would while its lease is open;
 * billing decides what more it consumes on a closed lease (settle-generations.ts, resolveLeaseHolds).
 */
export function reportCompletionFact(report: ConnectorUsageReport, costMicros: number): GenerationCompleted {
  const { origin } = report;
  return {
    generationId: report.generationId,
    accountId: origin.accountId,
    keyId: origin.keyId,
    modelId: report.modelId,
    providerId: report.providerId,
    providerName: report.providerName,
    endpointId: report.endpointId,
    price: report.price,
    usage: report.usage,
    usageEstimated: report.usageEstimated,
    status: statusByOutcome[report.outcome],
    errorCode: null,
    finishReason: report.finishReason,
    nativeFinishReason: null,
    streamed: report.streamed,
    upstreamId: report.upstreamId,
    latencyMs: report.latencyMs,
    timeToFirstTokenMs: report.timeToFirstTokenMs,
    attempts: [],
    createdAt: report.startedAt,
    ...(origin.lease ? { lease: { leaseId: origin.lease.leaseId, holdMicros: origin.lease.holdMicros, consumedMicros: costMicros } } : {}),
    ...(report.apiType !== undefined ? { apiType: report.apiType } : {}),
  };
}
