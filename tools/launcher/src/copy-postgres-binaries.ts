import { chmod, cp, lstat, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** Written last, so a copy cut short by Ctrl-C or a full disk is not taken for a finished one. */
const markerName = ".switchboard-copied-from";

async function describePackage(directory: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(directory, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
  return `${String(manifest.name)}@${String(manifest.version)}\n`;
}

/**
 * Everyone may read, and run what its owner may run: the copy is root's and is used by the user
 * `postgres`, and node_modules installed under umask 077 would otherwise stay closed to that user.
 */
async function openToEveryone(directory: string): Promise<void> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      await chmod(file, 0o755);
      await openToEveryone(file);
      continue;
    }
    const { mode } = await lstat(file);
    await chmod(file, (mode & 0o100) === 0 ? 0o644 : 0o755);
  }
}

/**
 * Copies the binaries package (its `dist/` names the binaries beside it, and PostgreSQL finds its
 * libraries and share/ relative to itself) to `target`, unless the copy there is of the same version:
 * 60 MB on every start would make warm starts slow. Returns whether it copied.
 */
export async function copyPostgresBinaries(source: string, target: string): Promise<boolean> {
  const wanted = await describePackage(source);
  const present = await readFile(path.join(target, markerName), "utf8").catch(() => undefined);
  if (present === wanted) return false;
  const staging = `${target}.partial`;
  await rm(staging, { recursive: true, force: true });
  // verbatimSymlinks: the package's lib/*.so.N links are relative and must stay so.
  await cp(source, staging, { recursive: true, verbatimSymlinks: true });
  await chmod(staging, 0o755);
  await openToEveryone(staging);
  await writeFile(path.join(staging, markerName), wanted, { mode: 0o644 });
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  return true;
}
