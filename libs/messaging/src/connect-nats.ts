import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { describeConnectFailure } from "./bus-security/describe-connect-failure.js";
import type { NatsCredentialSettings, NatsTlsSettings } from "./bus-security/nats-security-settings.js";
import { NatsSettingsError } from "./bus-security/nats-settings-error.js";
import { hasNatsCredentials, resolveNatsSecurity, type NatsSecurityOptions } from "./bus-security/resolve-nats-credentials.js";

export interface ConnectNatsOptions {
  servers: string;
  /** Connection name shown by the NATS server's monitoring. */
  name: string;
  logger?: Logger;
  /** The bus identity connecting (`busIdentities`), named in errors and warnings. */
  identity?: string;
  /** None connects anonymously, which only an open (development) server accepts; a warning says so. */
  credentials?: NatsCredentialSettings;
  tls?: NatsTlsSettings;
  /**
   * Prefix of every inbox this connection creates (`inboxPrefixFor`): a bus identity may subscribe only
   * under its own prefix, so replies to it must arrive there.
   */
  inboxPrefix?: string;
  /** False for a short-lived command: one attempt, no reconnects (default true). */
  reconnect?: boolean;
  /** How long the first connection may take (default 5 s). */
  timeoutMs?: number;
}

/** The first connection failed; the message says what to check, in the settings' own names. */
export class NatsConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NatsConnectError";
  }
}

/**
 * Connects with unlimited reconnects and short waits: a NATS restart must never need a service restart
 * (DESIGN.md failure rules), and readiness reports the disconnect in the meantime. Fails with a
 * `NatsSettingsError` for settings that cannot work and a `NatsConnectError` when the server cannot be
 * reached or refuses the credentials.
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const security = await resolveNatsSecurity(options.credentials, options.tls);
  const connection = await connectWithSecurity(options, security);
  const logger = options.logger;
  if (!hasNatsCredentials(options.credentials)) {
    logger?.warn(
      { natsServers: options.servers },
      "the NATS bus is unauthenticated: any process that reaches the NATS port can call every service. Set NATS_NKEY_SEED_FILE (README, Bus security) outside development.",
    );
  }
  if (logger) {
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === "error") {
          // Includes the server refusing a publish or subscription this identity is not allowed (bus permissions).
          logger.warn({ natsStatus: status.type, err: status.error }, "NATS reported an error on the connection");
        } else if (status.type === "disconnect" || status.type === "reconnect") {
          logger.warn({ natsStatus: status.type }, "NATS connection status changed");
        }
      }
    })();
  }
  return connection;
}

async function connectWithSecurity(options: ConnectNatsOptions, security: NatsSecurityOptions): Promise<NatsConnection> {
  const reconnect = options.reconnect ?? true;
  try {
    return await connect({
      servers: options.servers.split(",").map((server) => server.trim()),
      name: options.name,
      ...security,
      ...(options.inboxPrefix === undefined ? {} : { inboxPrefix: options.inboxPrefix }),
      maxReconnectAttempts: reconnect ? -1 : 0,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 20_000,
      timeout: options.timeoutMs ?? 5_000,
      // nats.js otherwise builds an Error (capturing a stack) for every request and every subscription
      // timer, to report where a later timeout came from: 1–2 % of ingress CPU per request in the
      // benchmark's profile. Our callers wrap failures in their own errors anyway.
      noAsyncTraces: true,
    });
  } catch (error) {
    if (error instanceof NatsSettingsError) throw error;
    const context = { servers: options.servers, identity: options.identity, authenticated: hasNatsCredentials(options.credentials), tls: security.tls !== undefined };
    throw new NatsConnectError(describeConnectFailure(error, context), { cause: error });
  }
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
