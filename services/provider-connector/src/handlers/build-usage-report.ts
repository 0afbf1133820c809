import {
  estimateUsage,
  generationApiTypes,
  type AttemptProgress,
  type ConnectorUsageReport,
  type GenerateRequest,
  type GenerationOrigin,
  type RouteCandidate,
} from "@switchboard/contracts";

/** How one attempt ended, as the connector saw it. */
export interface FinishedAttempt {
  request: GenerateRequest & { origin: GenerationOrigin };
  candidate: RouteCandidate;
  /** The publisher's counts: output bytes sent and the provider's usage, if it gave any. */
  progress: Pick<AttemptProgress, "usage" | "outputBytes">;
  outputSent: boolean;
  finishReason: string | null;
  upstreamId: string | null;
  outcome: ConnectorUsageReport["outcome"];
  ingressSilent: boolean;
  /** Wall-clock start, milliseconds since the epoch. */
  startedAt: number;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
}

/**
 * The usage report of an attempt billing may have to charge without ingress (issue 10), or null when
 * there is nothing to charge: an attempt that failed or was stopped before any output cost nothing, and
 * ingress may have moved on to another candidate. A completed attempt is reported even without output
 * (its prompt is charged). Usage is the provider's, else estimated from the output bytes sent as ingress
 * estimates it (prompt from the request body as re-serialized: at least what the provider read). The
 * price is the one ingress reserved with (`origin.price`), else the connector's snapshot's.
 */
export function buildUsageReport(attempt: FinishedAttempt): ConnectorUsageReport | null {
  if (!attempt.outputSent && attempt.outcome !== "completed") return null;
  const { request, candidate } = attempt;
  const providerUsage = attempt.progress.usage;
  // An embeddings attempt has no output tokens: its bound is 0, and it is never streamed.
  const chat = "operation" in request ? null : request;
  const usage =
    providerUsage ??
    estimateUsage(Buffer.byteLength(JSON.stringify(request.body), "utf8"), attempt.progress.outputBytes, chat ? (chat.maxCompletionTokens ?? Number.MAX_SAFE_INTEGER) : 0);
  return {
    generationId: request.generationId,
    origin: request.origin,
    endpointId: candidate.endpointId,
    modelId: candidate.modelId,
    providerId: candidate.providerId,
    providerName: candidate.providerName,
    // The price ingress held the credit at, when it says (its hold and the key's limit cover that one).
    price: request.origin.price ?? candidate.price,
    usage,
    usageEstimated: providerUsage === null,
    finishReason: attempt.outcome === "completed" ? (attempt.finishReason ?? "stop") : null,
    outcome: attempt.outcome,
    ingressSilent: attempt.ingressSilent,
    streamed: chat?.stream ?? false,
    apiType: chat ? generationApiTypes.completions : generationApiTypes.embeddings,
    upstreamId: attempt.upstreamId,
    latencyMs: Math.max(0, Math.round(attempt.latencyMs)),
    timeToFirstTokenMs: attempt.timeToFirstTokenMs === null ? null : Math.max(0, Math.round(attempt.timeToFirstTokenMs)),
    startedAt: new Date(attempt.startedAt).toISOString(),
  };
}
