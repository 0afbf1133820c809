import { z } from "zod";

/** An optional setting; set but empty counts as unset (compose files often list a variable with no value). */
function optionalText() {
  return z.preprocess((value) => (value === "" ? undefined : value), z.string().optional());
}

/**
 * How a process proves its bus identity and protects the connection. Credentials are one of: an nkey
 * seed in a file (a Kubernetes secret mounted as a file; the file must be readable by its owner only), an
 * nkey seed, or a user and password. None at all connects anonymously, for an open development server.
 */
export const natsSecuritySettings = {
  NATS_NKEY_SEED_FILE: optionalText(),
  NATS_NKEY_SEED: optionalText(),
  NATS_USER: optionalText(),
  NATS_PASSWORD: optionalText(),
  /** PEM file of the certificate authority that signed the NATS server's certificate; setting it turns TLS on. */
  NATS_TLS_CA_FILE: optionalText(),
  /** Client certificate and key (PEM) for servers that verify clients (mutual TLS); set both or neither. */
  NATS_TLS_CERT_FILE: optionalText(),
  NATS_TLS_KEY_FILE: optionalText(),
};

/** Environment shared by every service: where NATS is, which namespace to use, how much to log. */
export const natsSettings = {
  NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  SWITCHBOARD_NATS_NAMESPACE: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only").default("sb"),
  ...natsSecuritySettings,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

export const databaseSettings = {
  DATABASE_URL: z.string().default("postgres://postgres@127.0.0.1:5432/test"),
};

/** An integer environment variable, e.g. a port or a limit. */
export function integerSetting(defaultValue: number, minimum = 0) {
  return z.coerce.number().int().min(minimum).default(defaultValue);
}

/**
 * The operations listener of a service without an HTTP API (router, provider-connector, billing,
 * metadata-logging): `/metrics`, `/healthz`, `/readyz` on OPERATIONS_PORT. Unset (the default), there is
 * none: several services on one host (`npm start`) would otherwise collide on a default port. The
 * launcher and docker-compose.yml set it; 0 picks a free port.
 */
export const operationsSettings = {
  OPERATIONS_PORT: z.preprocess((value) => (value === "" ? undefined : value), z.coerce.number().int().min(0).max(65_535).optional()),
  OPERATIONS_HOST: z.string().min(1).default("0.0.0.0"),
};
