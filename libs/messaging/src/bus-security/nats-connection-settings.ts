import { inboxPrefixFor, type BusIdentity } from "./bus-identities.js";
import type { NatsCredentialSettings, NatsTlsSettings } from "./nats-security-settings.js";

/** The shared NATS settings every service reads (libs/config `natsSettings`), as this library needs them. */
export interface NatsSettingValues {
  readonly NATS_URL: string;
  readonly SWITCHBOARD_NATS_NAMESPACE: string;
  readonly NATS_NKEY_SEED_FILE?: string | undefined;
  readonly NATS_NKEY_SEED?: string | undefined;
  readonly NATS_USER?: string | undefined;
  readonly NATS_PASSWORD?: string | undefined;
  readonly NATS_TLS_CA_FILE?: string | undefined;
  readonly NATS_TLS_CERT_FILE?: string | undefined;
  readonly NATS_TLS_KEY_FILE?: string | undefined;
}

/** What `connectNats` needs to connect as one bus identity, besides a connection name and logger. */
export interface NatsIdentitySettings {
  readonly servers: string;
  readonly identity: BusIdentity;
  readonly credentials: NatsCredentialSettings;
  readonly tls: NatsTlsSettings;
  readonly inboxPrefix: string;
}

/**
 * Picks one identity's connection settings out of a service's configuration, so that each `main.ts` passes
 * them in one line: `connectNats({ ...natsConnectionSettings(config, busIdentities.billing), name, logger })`.
 */
export function natsConnectionSettings(settings: NatsSettingValues, identity: BusIdentity): NatsIdentitySettings {
  return {
    servers: settings.NATS_URL,
    identity,
    credentials: {
      nkeySeedFile: settings.NATS_NKEY_SEED_FILE,
      nkeySeed: settings.NATS_NKEY_SEED,
      user: settings.NATS_USER,
      password: settings.NATS_PASSWORD,
    },
    tls: { caFile: settings.NATS_TLS_CA_FILE, certFile: settings.NATS_TLS_CERT_FILE, keyFile: settings.NATS_TLS_KEY_FILE },
    inboxPrefix: inboxPrefixFor(settings.SWITCHBOARD_NATS_NAMESPACE, identity),
  };
}
