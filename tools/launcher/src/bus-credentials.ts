import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { createSubjects } from "@switchboard/contracts";
import {
  allBusIdentities,
  createBusIdentityKey,
  createBusPermissions,
  isPrivateSeedFileMode,
  publicKeyOfSeed,
  renderNatsServerConfig,
  type BusIdentity,
} from "@switchboard/messaging";

/** The nats-server configuration's file name in a bus credentials directory. */
export const busConfigFileName = "nats-server.conf";

/** The file holding one identity's nkey seed, e.g. `ingress.nk`. */
export function seedFileName(identity: BusIdentity): string {
  return `${identity}.nk`;
}

export interface EnsureBusCredentialsOptions {
  /** Holds the seeds and the configuration; created with mode 0700 when missing. */
  directory: string;
  /** The subject namespace the permissions are written for (`SWITCHBOARD_NATS_NAMESPACE`). */
  namespace: string;
}

/** A bus credentials directory after `ensureBusCredentials`. */
export interface BusCredentials {
  readonly directory: string;
  /** The nats-server configuration: one nkey user per identity, public keys only. */
  readonly configFile: string;
  readonly config: string;
  readonly seedFiles: Readonly<Record<BusIdentity, string>>;
  readonly seeds: Readonly<Record<BusIdentity, string>>;
  /** Identities whose seed this call made; the others were already there and are kept. */
  readonly created: readonly BusIdentity[];
}

/**
 * Makes sure `directory` holds one nkey seed per bus identity (mode 0600) and a nats-server configuration
 * that lets each of them in with its permissions. A seed that exists is reused, never replaced: the
 * services and a running server may already use it. A seed file that is unreadable, not a user seed, or
 * readable by other users stops it with what to do, rather than being overwritten. The configuration is
 * written again every time, from the seeds and the current permission model, so it never falls behind
 * either; it holds no secret.
 */
export async function ensureBusCredentials(options: EnsureBusCredentialsOptions): Promise<BusCredentials> {
  const directory = path.resolve(options.directory);
  const existed = await isDirectory(directory);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  // Only a directory made here: one the operator chose and made keeps the mode they gave it.
  if (!existed) await chmod(directory, 0o700);

  const existing = await readExistingSeeds(directory);
  const seeds = {} as Record<BusIdentity, string>;
  const seedFiles = {} as Record<BusIdentity, string>;
  const created: BusIdentity[] = [];
  for (const identity of allBusIdentities) {
    const file = path.join(directory, seedFileName(identity));
    seedFiles[identity] = file;
    const seed = existing[identity];
    if (seed !== undefined) {
      seeds[identity] = seed;
      continue;
    }
    // Made only for a missing seed: an ordinary start, with every seed in place, makes no key at all.
    const { seed: freshSeed } = createBusIdentityKey();
    // `wx`: fails instead of replacing a seed that appeared since it was looked for.
    await writeFile(file, `${freshSeed}\n`, { mode: 0o600, flag: "wx" });
    seeds[identity] = freshSeed;
    created.push(identity);
  }

  const publicKeys = Object.fromEntries(allBusIdentities.map((identity) => [identity, publicKeyOfSeed(seeds[identity])])) as Record<BusIdentity, string>;
  const config = renderNatsServerConfig({ permissions: createBusPermissions(createSubjects(options.namespace)), publicKeys });
  const configFile = path.join(directory, busConfigFileName);
  await writeFileAtomically(configFile, config, 0o644);
  return { directory, configFile, config, seedFiles, seeds, created };
}

async function readExistingSeeds(directory: string): Promise<Partial<Record<BusIdentity, string>>> {
  const seeds: Partial<Record<BusIdentity, string>> = {};
  for (const identity of allBusIdentities) {
    const file = path.join(directory, seedFileName(identity));
    const seed = await readSeedFile(file);
    if (seed !== undefined) seeds[identity] = seed;
  }
  return seeds;
}

/** The seed in `file`, or undefined when there is no such file; anything else wrong with it is an error. */
async function readSeedFile(file: string): Promise<string | undefined> {
  let owner: number;
  let mode: number;
  let text: string;
  try {
    ({ uid: owner, mode } = await stat(file));
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`${file} cannot be read (${(error as Error).message}); it is kept as it is.`, { cause: error });
  }
  const seed = text.trim();
  if (!seed.startsWith("SU") || !isSeed(seed)) {
    throw new Error(`${file} does not hold an nkey user seed (a line starting with SU). Move it away to have a new identity made; it is not replaced.`);
  }
  // The services refuse such a file (NATS_NKEY_SEED_FILE), by the same rule; say it here, before anything starts.
  if (!isPrivateSeedFileMode(owner, mode)) throw new Error(`${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${file}\`.`);
  return seed;
}

function isSeed(text: string): boolean {
  try {
    publicKeyOfSeed(text);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(candidate: string): Promise<boolean> {
  return stat(candidate).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** A reader (nats-server reloading, a mount) never sees half a file. */
async function writeFileAtomically(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, file);
}
