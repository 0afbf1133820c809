import type { NatsConnection } from "@nats-io/transport-node";
import { shutdownTracing } from "@switchboard/telemetry";
import type { Logger } from "pino";

export interface ShutDownOnSignalsOptions {
  service: string;
  logger: Logger;
  connection: NatsConnection;
  /** Stops taking work and finishes what is in flight; runs before NATS is drained. */
  stop: () => Promise<void>;
  /** Closes what outlives NATS traffic (database pools); runs after the drain. */
  close?: () => Promise<void>;
}

/**
 * SIGTERM or SIGINT → stop the service, drain NATS (flush what was published, unsubscribe), close the
 * rest, export the spans still buffered (when tracing is on), exit 0 — or exit 1 if any step fails (DESIGN.md failure rules). A second signal is ignored
 * while the first shutdown runs.
 */
export function shutDownOnSignals(options: ShutDownOnSignalsOptions): void {
  let stopping = false;
  const shutDown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal }, `${options.service} stopping`);
    try {
      await options.stop();
      await options.connection.drain();
      await options.close?.();
      // The spans of the last requests are still in the SDK's batch; bounded, so a dead collector cannot hold the exit.
      await Promise.race([shutdownTracing(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      process.exit(0);
    } catch (error) {
      options.logger.error({ err: error }, `${options.service} did not stop cleanly`);
      process.exit(1);
    }
  };
  process.on("SIGTERM", (signal) => void shutDown(signal));
  process.on("SIGINT", (signal) => void shutDown(signal));
}
