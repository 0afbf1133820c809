import type {
  AuthenticatedKey,
  GatewayError,
  GenerationApiType,
  GenerationAttempt,
  GenerationCompleted,
  GenerationStatus,
  LeaseHold,
  RouteCandidate,
} from "@switchboard/contracts";
import type { ChargeableUsage } from "./chargeable-usage.js";
import type { HeldCredit } from "./reserve-credit.js";
import type { ResponseAccumulator } from "./response-accumulator.js";

/** Everything a generation's completion fact says, as the generation ended. */
export interface CompletionState {
  generationId: string;
  key: Pick<AuthenticatedKey, "accountId" | "keyId">;
  /** The model the client asked for; named when no candidate was ever chosen. */
  requestedModel: string;
  /** The candidate that served, or the one tried last, or else the first held for. */
  candidate: RouteCandidate | undefined;
  /**
   * What was held for the generation. Billing settles a reservation by generation id, so the fact does
   * not repeat it; a hold against a credit lease is reported as `leaseHold`.
   */
  held: HeldCredit;
  /** The ended lease hold (AccountLease.finish) when the generation held against a credit lease. */
  leaseHold?: LeaseHold;
  charge: ChargeableUsage;
  accumulator: Pick<ResponseAccumulator, "finishReason" | "nativeFinishReason" | "upstreamId">;
  failure: GatewayError | null;
  cancelled: boolean;
  streamed: boolean;
  attempts: GenerationAttempt[];
  /** The API the client called: chat and legacy completions are `completions`, as OpenRouter records them. */
  apiType: GenerationApiType;
  /** Wall-clock start, for `createdAt`. */
  startedAt: number;
  /** Milliseconds from the start (monotonic) to the end, and to the first output if any. */
  latencyMs: number;
  timeToFirstTokenMs: number | null;
}

const noPrice = { promptPicosPerToken: "0", completionPicosPerToken: "0" };

/** The durable fact that settles and records one generation; a pure function of how it ended. */
export function buildCompletionFact(state: CompletionState): GenerationCompleted {
  const { candidate, accumulator, failure, cancelled } = state;
  const status: GenerationStatus = cancelled ? "cancelled" : failure ? "error" : "success";
  return {
    generationId: state.generationId,
    accountId: state.key.accountId,
    keyId: state.key.keyId,
    modelId: candidate?.modelId ?? state.requestedModel,
    providerId: candidate?.providerId ?? null,
    providerName: candidate?.providerName ?? null,
    endpointId: candidate?.endpointId ?? null,
    price: candidate?.price ?? noPrice,
    usage: state.charge.usage,
    usageEstimated: state.charge.estimated,
    status,
    errorCode: failure?.code ?? null,
    finishReason: cancelled ? null : failure ? "error" : (accumulator.finishReason ?? "stop"),
    nativeFinishReason: accumulator.nativeFinishReason,
    streamed: state.streamed,
    upstreamId: accumulator.upstreamId,
    latencyMs: Math.round(state.latencyMs),
    timeToFirstTokenMs: state.timeToFirstTokenMs === null ? null : Math.round(state.timeToFirstTokenMs),
    attempts: state.attempts,
    createdAt: new Date(state.startedAt).toISOString(),
    ...(state.leaseHold ? { lease: state.leaseHold } : {}),
    apiType: state.apiType,
  };
}
