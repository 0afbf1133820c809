import { errors } from "@nats-io/transport-node";

export interface ConnectFailureContext {
  servers: string;
  /** The bus identity that tried to connect, when the caller named one. */
  identity: string | undefined;
  authenticated: boolean;
  tls: boolean;
}

/** Says why a first connection failed and what to check, in the settings' own names. */
export function describeConnectFailure(error: unknown, context: ConnectFailureContext): string {
  const reason = error instanceof Error ? error.message : String(error);
  const who = context.identity === undefined ? "" : ` as the "${context.identity}" identity`;
  if (error instanceof errors.AuthorizationError || /authorization violation/i.test(reason)) {
    if (!context.authenticated) {
      const whose = context.identity === undefined ? "this service's identity" : `the "${context.identity}" identity`;
      return `NATS at ${context.servers} requires credentials and none are set (${reason}): set NATS_NKEY_SEED_FILE (or NATS_NKEY_SEED, or NATS_USER and NATS_PASSWORD) to the credentials of ${whose}.`;
    }
    return `NATS at ${context.servers} refused the credentials${who} (${reason}): check that NATS_NKEY_SEED_FILE, NATS_NKEY_SEED or NATS_USER/NATS_PASSWORD hold this service's own identity and that the NATS server configuration lists its public key.`;
  }
  // Node's TLS errors name certificates; a server that requires TLS fails a client without a CA this way.
  if (/certificate|tls|ssl/i.test(reason)) {
    return `Could not connect to NATS at ${context.servers}${who} over TLS (${reason}): check that NATS_TLS_CA_FILE names the CA that signed the server's certificate (and NATS_TLS_CERT_FILE/NATS_TLS_KEY_FILE, when the server verifies clients).`;
  }
  const tlsHint = context.tls ? ", and that NATS_TLS_CA_FILE (and NATS_TLS_CERT_FILE/NATS_TLS_KEY_FILE) match the server's certificates" : "";
  return `Could not connect to NATS at ${context.servers}${who} (${reason}): check NATS_URL and that nats-server is running${tlsHint}.`;
}
