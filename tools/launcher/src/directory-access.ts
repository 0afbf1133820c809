import { statSync } from "node:fs";
import path from "node:path";

/** The mode bits of an existing path, or undefined when it does not exist (yet). */
export type ReadMode = (candidate: string) => number | undefined;

const othersMaySearch = 0o001;

function readMode(candidate: string): number | undefined {
  try {
    return statSync(candidate).mode;
  } catch {
    return undefined;
  }
}

/**
 * The first existing directory above `target` that other users cannot enter, or undefined. `target`
 * itself is not checked: the data directory is PostgreSQL's own, with mode 0700.
 * As root, PostgreSQL runs as the `postgres` user, which must reach both its binaries in node_modules and
 * its data directory; a checkout under /root (mode 700) fails with an uncatchable spawn EACCES.
 */
export function findDirectoryClosedToOthers(target: string, mode: ReadMode = readMode): string | undefined {
  const absolute = path.dirname(path.resolve(target));
  const parts = absolute.split(path.sep).filter((part) => part !== "");
  let current: string = path.sep;
  for (const part of ["", ...parts]) {
    current = part === "" ? current : path.join(current, part);
    const bits = mode(current);
    if (bits === undefined) return undefined;
    if ((bits & othersMaySearch) === 0) return current;
  }
  return undefined;
}
