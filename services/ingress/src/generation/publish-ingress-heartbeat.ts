import type { NatsConnection } from "@nats-io/transport-node";
import { ingressHeartbeatIntervalMs, type IngressHeartbeat, type Subjects } from "@switchboard/contracts";
import type { OutstandingFacts } from "./outstanding-facts.js";

export interface IngressHeartbeatOptions {
  connection: Pick<NatsConnection, "publish" | "isClosed">;
  subjects: Pick<Subjects, "ingressHeartbeat">;
  /** This replica's name, as its generate requests give it (`GenerationOrigin.ingressId`). */
  ingressId: string;
  /** This replica's generations whose fact is not stored yet; absent, the heartbeat vouches for none. */
  outstandingFacts?: Pick<OutstandingFacts, "describe">;
  intervalMs?: number;
}

/**
 * Tells the connectors this replica is alive, once at start and then every second (not per request):
 * a connector stops the upstream calls of a replica it has not heard from for INGRESS_SILENCE_MS, so a
 * killed ingress does not leave providers streaming into an inbox nobody reads (issue 10). Each beat also
 * says which generations have their completion fact stored, so the connectors drop their usage reports
 * of those rather than publish them. Returns the stop.
 */
export function publishIngressHeartbeat(options: IngressHeartbeatOptions): () => void {
  const beat = () => {
    // A closed or closing connection throws; the next beat (or none, at shutdown) is all that matters.
    if (options.connection.isClosed()) return;
    const heartbeat: IngressHeartbeat = { ingressId: options.ingressId, ...(options.outstandingFacts ? { facts: options.outstandingFacts.describe() } : {}) };
    try {
      options.connection.publish(options.subjects.ingressHeartbeat, JSON.stringify(heartbeat));
    } catch {
      // Reconnecting: the client buffers; closing: nothing to do.
    }
  };
  beat();
  const timer = setInterval(beat, options.intervalMs ?? ingressHeartbeatIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
