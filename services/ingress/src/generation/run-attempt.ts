import type { MsgHdrs } from "@nats-io/transport-node";
import {
  gatewayError,
  gatewayErrorCodes,
  type ChatRequest,
  type EmbeddingsRequest,
  type GatewayError,
  type GenerateRequest,
  type GenerationOrigin,
  type RouteCandidate,
  type StreamPart,
} from "@switchboard/contracts";
import { busUnavailableError, type ServiceClients } from "../plugins/service-clients.js";
import { outputCap } from "./output-limits.js";
import { PartReader } from "./part-reader.js";
import { probeAttemptProgress } from "./probe-attempt-progress.js";

/** A chat attempt (`request`) or an embeddings attempt (`embeddings`). */
export type AttemptOptions = AttemptSettings & ({ request: ChatRequest; embeddings?: undefined } | { request?: undefined; embeddings: EmbeddingsRequest });

export interface AttemptSettings {
  clients: Pick<ServiceClients, "connection" | "state" | "subjects" | "inbox" | "requestTimeoutMs">;
  generationId: string;
  candidate: RouteCandidate;
  /** Longest silence (not even a heartbeat) from the connector, once it took the request. */
  idleTimeoutMs: number;
  /** Who asks and what holds the credit, passed through to the connector's usage report (issue 10). */
  origin?: GenerationOrigin;
  /** The attempt's trace context (generation-trace.ts), when tracing is on. */
  headers?: MsgHdrs;
}

/** How one attempt ended before its output was relayed. */
export type AttemptOutcome =
  /** The candidate produced output: `parts` holds what was read so far, the rest comes from `reader`. */
  | { type: "output"; reader: PartReader; parts: StreamPart[] }
  /** No output came; `fallBack` says whether another candidate may be tried. */
  | { type: "failed"; error: GatewayError; fallBack: boolean }
  /** The signal fired first; the reader is closed, the caller decides what that means. */
  | { type: "stopped" };

/**
 * One candidate, up to its first output or its failure. The generate message goes to the connectors'
 * queue group with the attempt's inbox subject as its reply subject, so no reply is awaited: the
 * connector's first part (`stream-start`) says it took the request, and NATS's "no responders" status,
 * a refusal, or silence for the service request timeout arrive as an error part instead.
 */
export async function runAttempt(options: AttemptOptions, stop: AbortSignal): Promise<AttemptOutcome> {
  const { clients, generationId, candidate } = options;
  if (!clients.state.connected) return { type: "failed", error: busUnavailableError().error, fallBack: true };
  const reader = new PartReader(clients.inbox, {
    idleTimeoutMs: options.idleTimeoutMs,
    acceptTimeoutMs: clients.requestTimeoutMs,
    probeProgress: (inbox) => probeAttemptProgress(clients, inbox),
    onReconnect: (listener) => clients.state.onReconnect(listener),
  });
  const message: GenerateRequest = options.request
    ? {
        generationId,
        // The connector resolves URL, key and upstream model from its own snapshot: only the id travels.
        endpointId: candidate.endpointId,
        body: options.request,
        stream: options.request.stream === true,
        maxCompletionTokens: outputCap(options.request, candidate),
        replyTo: reader.inbox,
        ...(options.origin ? { origin: options.origin } : {}),
      }
    : {
        operation: "embeddings",
        generationId,
        endpointId: candidate.endpointId,
        body: options.embeddings,
        replyTo: reader.inbox,
        ...(options.origin ? { origin: options.origin } : {}),
      };
  try {
    clients.connection.publish(clients.subjects.connectorGenerate, JSON.stringify(message), options.headers ? { reply: reader.inbox, headers: options.headers } : { reply: reader.inbox });
  } catch {
    // The connection is closing (or the body is over max_payload): nothing was sent.
    reader.close();
    return { type: "failed", error: gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true }), fallBack: true };
  }
  const parts: StreamPart[] = [];
  for (;;) {
    const part = await reader.nextBefore(stop);
    if (part === null) {
      reader.close();
      return { type: "stopped" };
    }
    if (part.type === "stream-start") {
      parts.push(part);
      continue;
    }
    if (part.type === "error") {
      // An error ingress raised itself (no answer, silence, lost parts, a refusal) may leave an upstream
      // call running: stop it now, before another candidate is tried or the client is answered. Such an
      // error says nothing about the request, so the next candidate is tried whatever it says.
      if (part.seq === -1) clients.connection.publish(clients.subjects.connectorCancel(generationId));
      return { type: "failed", error: part.error, fallBack: part.seq === -1 || part.error.retryable };
    }
    parts.push(part);
    return { type: "output", reader, parts };
  }
}
