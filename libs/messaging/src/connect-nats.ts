import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";

export interface ConnectNatsOptions {
  servers: string;
  /** Connection name shown by the NATS server's monitoring. */
  name: string;
  logger?: Logger;
}

/**
 * Connects with unlimited reconnects and short waits: a NATS restart must never need a service restart
 * (DESIGN.md failure rules), and readiness reports the disconnect in the meantime.
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const connection = await connect({
    servers: options.servers.split(",").map((server) => server.trim()),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 20_000,
    timeout: 5_000,
    // nats.js otherwise builds an Error (capturing a stack) for every request and every subscription
    // timer, to report where a later timeout came from: 1–2 % of ingress CPU per request in the
    // benchmark's profile. Our callers wrap failures in their own errors anyway.
    noAsyncTraces: true,
  });
  const logger = options.logger;
  if (logger) {
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === "disconnect" || status.type === "reconnect" || status.type === "error") {
          logger.warn({ natsStatus: status.type }, "NATS connection status changed");
        }
      }
    })();
  }
  return connection;
}

/** Round-trips to the server within `timeoutMs`; false when NATS is unreachable. */
export async function checkNats(connection: NatsConnection, timeoutMs = 500): Promise<boolean> {
  if (connection.isClosed()) return false;
  try {
    await Promise.race([
      connection.flush(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("flush timeout")), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}
