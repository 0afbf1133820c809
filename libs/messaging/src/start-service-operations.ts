import type { NatsConnection } from "@nats-io/transport-node";
import { startOperationsServer, type OperationsServer, type ReadinessCheck } from "@switchboard/telemetry";
import type { Logger } from "pino";
import { checkNats } from "./connect-nats.js";
import { shutDownOnSignals } from "./shut-down-on-signals.js";

export interface ServiceOperationsOptions {
  service: string;
  logger: Logger;
  connection: NatsConnection;
  /** The service's `operationsSettings` (libs/config): without a port, there is no operations listener. */
  settings: { readonly OPERATIONS_PORT?: number | undefined; readonly OPERATIONS_HOST: string };
  /** What `/readyz` asks after NATS, e.g. `{ database }`. */
  readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /** Stops taking work and finishes what is in flight; runs before NATS is drained. */
  stop: () => Promise<void>;
  /** Closes what outlives NATS traffic (database pools); runs after the drain, once the operations listener is closed. */
  close?: () => Promise<void>;
}

/**
 * What the main.ts of a service on the bus (router, provider connector, billing, metadata-logging) does
 * once the service runs: the operations listener (`/metrics`, `/healthz`, `/readyz` with NATS asked
 * first) when OPERATIONS_PORT is set, then shutdown on SIGTERM/SIGINT (shut-down-on-signals.ts) that also
 * closes that listener. Returns the listener, for the start-up log line; a listener that cannot start
 * throws, before any signal handler is installed.
 */
export async function startServiceOperations(options: ServiceOperationsOptions): Promise<OperationsServer | undefined> {
  const { connection, settings } = options;
  const operations =
    settings.OPERATIONS_PORT === undefined
      ? undefined
      : await startOperationsServer({
          port: settings.OPERATIONS_PORT,
          host: settings.OPERATIONS_HOST,
          readinessChecks: { nats: () => checkNats(connection), ...options.readinessChecks },
        });
  shutDownOnSignals({
    service: options.service,
    logger: options.logger,
    connection,
    stop: options.stop,
    close: async () => {
      await operations?.close();
      await options.close?.();
    },
  });
  return operations;
}
