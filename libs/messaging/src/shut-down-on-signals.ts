import type { NatsConnection } from "@nats-io/transport-node";
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
 * rest, exit 0 — or exit 1 if any step fails (DESIGN.md failure rules). A second signal is ignored
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
      process.exit(0);
    } catch (error) {
      options.logger.error({ err: error }, `${options.service} did not stop cleanly`);
      process.exit(1);
    }
  };
  process.on("SIGTERM", (signal) => void shutDown(signal));
  process.on("SIGINT", (signal) => void shutDown(signal));
}
