import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createSubjects } from "@switchboard/contracts";
import { allBusIdentities, type BusIdentity } from "./bus-identities.js";
import { createBusPermissions } from "./bus-permissions.js";
import { createBusIdentityKeys, publicKeyOfSeed } from "./create-bus-identity-keys.js";
import { renderNatsServerConfig, type NatsServerTls } from "./render-nats-server-config.js";

export interface WriteBusIdentitiesOptions {
  /** Where the seeds and the server configuration go, e.g. `.switchboard/nats`; created mode 0700. */
  directory: string;
  /** The namespace the services use (`SWITCHBOARD_NATS_NAMESPACE`): permissions are per namespace. */
  namespace: string;
  /** Passed to the server configuration. */
  storeDirectory?: string;
  tls?: NatsServerTls;
}

/** What was written: the file nats-server takes with `-c`, and each identity's `NATS_NKEY_SEED_FILE`. */
export interface WrittenBusIdentities {
  readonly configFile: string;
  readonly seedFiles: Readonly<Record<BusIdentity, string>>;
}

/**
 * Writes one seed file per bus identity (`<identity>.nk`, mode 0600) and `nats-server.conf` with their
 * public keys and permissions. Seeds already there are kept, so running it again (every `npm start`, a
 * new namespace) rewrites only the configuration and running services keep their identities.
 */
export async function writeBusIdentities(options: WriteBusIdentitiesOptions): Promise<WrittenBusIdentities> {
  await mkdir(options.directory, { recursive: true, mode: 0o700 });
  const fresh = createBusIdentityKeys();
  const seedFiles = {} as Record<BusIdentity, string>;
  const publicKeys = {} as Record<BusIdentity, string>;
  for (const identity of allBusIdentities) {
    const seedFile = path.join(options.directory, `${identity}.nk`);
    let seed = await readFile(seedFile, "utf8").then((text) => text.trim(), () => undefined);
    if (seed === undefined) {
      seed = fresh[identity].seed;
      await writeFile(seedFile, `${seed}\n`, { mode: 0o600 });
    }
    // A file written by an older run or copied in may carry wider bits; services refuse those.
    await chmod(seedFile, 0o600);
    seedFiles[identity] = seedFile;
    publicKeys[identity] = publicKeyOfSeed(seed);
  }
  const configFile = path.join(options.directory, "nats-server.conf");
  const permissions = createBusPermissions(createSubjects(options.namespace));
  await writeFile(configFile, renderNatsServerConfig({ permissions, publicKeys, storeDirectory: options.storeDirectory, tls: options.tls }), { mode: 0o600 });
  return { configFile, seedFiles };
}
