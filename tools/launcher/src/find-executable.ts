import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

export interface FindExecutableOptions {
  /** The PATH variable to search. */
  searchPath: string | undefined;
  /** Searched after PATH, e.g. `/usr/sbin`, which a non-root PATH often lacks. */
  extraDirectories?: readonly string[];
  isExecutable?: (candidate: string) => boolean;
}

function isExecutableFile(candidate: string): boolean {
  try {
    accessSync(candidate, constants.X_OK);
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH or in the extra directories, like `which`. */
export function findExecutable(name: string, options: FindExecutableOptions): string | undefined {
  const isExecutable = options.isExecutable ?? isExecutableFile;
  const directories = [...(options.searchPath ?? "").split(path.delimiter), ...(options.extraDirectories ?? [])].filter(
    (directory) => directory !== "",
  );
  for (const directory of directories) {
    const candidate = path.join(directory, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}
