import { createHash } from "node:crypto";
import path from "node:path";

/** Variable state of a local program belongs under /var/lib (Filesystem Hierarchy Standard). */
export const outsideClusterBase = "/var/lib/switchboard";

const hashLength = 10;
const nameLength = 40;

export interface OutsideClusterDirectoryOptions {
  repositoryRoot: string;
  /** The data directory the launcher would use inside the checkout, e.g. `<repo>/.switchboard/postgres`. */
  dataDirectory: string;
  base?: string;
}

/**
 * `/var/lib/switchboard/<checkout name>-<hash>`: where root's PostgreSQL lives when the `postgres` user
 * cannot enter the checkout. The name tells a person listing /var/lib/switchboard which checkout owns it;
 * the hash of the absolute data directory keeps two checkouts (or two SWITCHBOARD_STATE_DIRs) apart and
 * gives the same checkout the same cluster on every start, so its demo key survives.
 */
export function outsideClusterDirectory(options: OutsideClusterDirectoryOptions): string {
  const absoluteDataDirectory = path.resolve(options.dataDirectory);
  const hash = createHash("sha256").update(absoluteDataDirectory).digest("hex").slice(0, hashLength);
  const checkoutName = path
    .basename(path.resolve(options.repositoryRoot))
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(0, nameLength)
    .replace(/^[.-]+|-+$/g, "");
  return path.join(options.base ?? outsideClusterBase, `${checkoutName === "" ? "switchboard" : checkoutName}-${hash}`);
}
