import type { NatsConnection } from "@nats-io/transport-node";
import { ingressHeartbeatIntervalMs, type IngressHeartbeat, type Subjects } from "@switchboard/contracts";

export interface IngressHeartbeatOptions {
  connection: Pick<NatsConnection, "publish" | "isClosed">;
  subjects: Pick<Subjects, "ingressHeartbeat">;
  /** This replica's name, as its generate requests give it (`GenerationOrigin.ingressId`). */
  ingressId: string;
  intervalMs?: number;
}

/**
 * Tells the connectors this replica is alive, once at start and then every second (not per request):
 * a connector stops the upstream calls of a replica it has not heard from for INGRESS_SILENCE_MS, so a
 * killed ingress does not leave providers streaming into an inbox nobody reads (issue 10). Returns the stop.
 */
export function publishIngressHeartbeat(options: IngressHeartbeatOptions): () => void {
  const payload = JSON.stringify({ ingressId: options.ingressId } satisfies IngressHeartbeat);
  const beat = () => {
    // A closed or closing connection throws; the next beat (or none, at shutdown) is all that matters.
    if (options.connection.isClosed()) return;
    try {
      options.connection.publish(options.subjects.ingressHeartbeat, payload);
    } catch {
      // Reconnecting: the client buffers; closing: nothing to do.
    }
  };
  beat();
  const timer = setInterval(beat, options.intervalMs ?? ingressHeartbeatIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
