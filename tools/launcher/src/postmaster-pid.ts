import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { readProcessCommandLine, waitForProcessExit } from "./process-inspection.js";

/** The postmaster PID from the first line of `postmaster.pid`, or undefined if the file makes no sense. */
export function parsePostmasterPid(text: string): number | undefined {
  const firstLine = text.split("\n", 1)[0]?.trim() ?? "";
  if (!/^\d+$/.test(firstLine)) return undefined;
  const pid = Number(firstLine);
  return pid > 0 ? pid : undefined;
}

/** True when a command line is a postgres server running on this data directory. */
export function isPostmasterOf(commandLine: string, dataDirectory: string): boolean {
  const executable = commandLine.trimStart().split(/\s/, 1)[0] ?? "";
  return (executable === "postgres" || executable.endsWith("/postgres")) && commandLine.includes(dataDirectory);
}

export type StalePostmasterOutcome = "none" | "stopped" | "removed-lock-file";

/**
 * A launcher killed with SIGKILL leaves its postmaster running (or, after SIGKILL of postgres itself, a
 * `postmaster.pid` whose PID may be reused), and the next start fails with "lock file postmaster.pid
 * already exists". Stop such a postmaster (SIGINT = fast shutdown), or remove a lock file whose PID is
 * not a postgres of this directory. Only call this when no other launcher uses the directory.
 */
export async function clearStalePostmaster(dataDirectory: string, timeoutMs = 15_000): Promise<StalePostmasterOutcome> {
  const lockFile = path.join(dataDirectory, "postmaster.pid");
  const text = await readFile(lockFile, "utf8").catch(() => undefined);
  if (text === undefined) return "none";
  const pid = parsePostmasterPid(text);
  const commandLine = pid === undefined ? undefined : await readProcessCommandLine(pid);
  if (pid !== undefined && commandLine !== undefined && isPostmasterOf(commandLine, dataDirectory)) {
    process.kill(pid, "SIGINT");
    if (await waitForProcessExit(pid, timeoutMs)) return "stopped";
    // Immediate shutdown: recovery runs on the next start, nothing committed is lost.
    process.kill(pid, "SIGQUIT");
    if (await waitForProcessExit(pid, 5_000)) return "stopped";
    throw new Error(`A PostgreSQL server (pid ${pid}) still runs on ${dataDirectory} and did not stop`);
  }
  await rm(lockFile, { force: true });
  return "removed-lock-file";
}
