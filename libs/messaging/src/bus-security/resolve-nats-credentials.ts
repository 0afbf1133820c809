import { readFile, stat } from "node:fs/promises";
import { fromSeed } from "@nats-io/nkeys";
import { nkeyAuthenticator, type ConnectionOptions } from "@nats-io/transport-node";
import type { NatsCredentialSettings, NatsTlsSettings } from "./nats-security-settings.js";
import { isPrivateSeedFileMode } from "./is-private-seed-file-mode.js";
import { NatsSettingsError } from "./nats-settings-error.js";

/** The connect options that authenticate and secure a connection; empty for an anonymous plain connection. */
export type NatsSecurityOptions = Pick<ConnectionOptions, "authenticator" | "user" | "pass" | "tls">;

/**
 * Turns the operator's settings into connect options, refusing what cannot be right: two kinds of
 * credentials at once, a user without a password, a seed that is not an nkey user seed, a seed file other
 * users can read, a client certificate without its key.
 */
export async function resolveNatsSecurity(credentials: NatsCredentialSettings = {}, tls: NatsTlsSettings = {}): Promise<NatsSecurityOptions> {
  return { ...(await resolveCredentials(credentials)), ...resolveTls(tls) };
}

/** True when any credential is set, i.e. the connection is not anonymous. */
export function hasNatsCredentials(credentials: NatsCredentialSettings = {}): boolean {
  return [credentials.nkeySeedFile, credentials.nkeySeed, credentials.user, credentials.password].some((value) => value !== undefined);
}

async function resolveCredentials(credentials: NatsCredentialSettings): Promise<NatsSecurityOptions> {
  const kinds = [
    credentials.nkeySeedFile !== undefined ? "NATS_NKEY_SEED_FILE" : undefined,
    credentials.nkeySeed !== undefined ? "NATS_NKEY_SEED" : undefined,
    credentials.user !== undefined || credentials.password !== undefined ? "NATS_USER/NATS_PASSWORD" : undefined,
  ].filter((kind) => kind !== undefined);
  if (kinds.length > 1) throw new NatsSettingsError(`Set one kind of NATS credentials, not ${kinds.join(" and ")}.`);
  if (credentials.nkeySeedFile !== undefined) return { authenticator: nkeyAuthenticator(await readSeedFile(credentials.nkeySeedFile)) };
  if (credentials.nkeySeed !== undefined) return { authenticator: nkeyAuthenticator(parseSeed(credentials.nkeySeed, "NATS_NKEY_SEED")) };
  if (credentials.user !== undefined || credentials.password !== undefined) {
    if (credentials.user === undefined || credentials.password === undefined) throw new NatsSettingsError("NATS_USER and NATS_PASSWORD go together: set both or neither.");
    return { user: credentials.user, pass: credentials.password };
  }
  return {};
}

async function readSeedFile(path: string): Promise<Uint8Array> {
  let owner: number;
  let mode: number;
  let text: string;
  try {
    ({ uid: owner, mode } = await stat(path));
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new NatsSettingsError(`NATS_NKEY_SEED_FILE ${path} cannot be read (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
  if (!isPrivateSeedFileMode(owner, mode)) {
    throw new NatsSettingsError(
      `NATS_NKEY_SEED_FILE ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\` (a file owned by root may also be 640, as a Kubernetes secret mounted with fsGroup is).`,
    );
  }
  return parseSeed(text, `NATS_NKEY_SEED_FILE ${path}`);
}

function parseSeed(text: string, source: string): Uint8Array {
  const seed = new TextEncoder().encode(text.trim());
  try {
    fromSeed(seed);
  } catch (error) {
    throw new NatsSettingsError(`${source} does not hold an nkey seed (a line starting with SU).`, { cause: error });
  }
  if (text.trim().charAt(1) !== "U") throw new NatsSettingsError(`${source} holds an nkey seed, but not a user's (user seeds start with SU).`);
  return seed;
}

function resolveTls(tls: NatsTlsSettings): NatsSecurityOptions {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new NatsSettingsError("NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together: set both (mutual TLS) or neither.");
  }
  if (tls.caFile === undefined && tls.certFile === undefined) return {};
  return {
    tls: {
      ...(tls.caFile === undefined ? {} : { caFile: tls.caFile }),
      ...(tls.certFile === undefined ? {} : { certFile: tls.certFile }),
      ...(tls.keyFile === undefined ? {} : { keyFile: tls.keyFile }),
    },
  };
}
