import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { childProcessIds } from "./process-usage.js";

const execFileAsync = promisify(execFile);

/** A command line that runs `command` on `cpus` only (`taskset -c`), or unchanged when `cpus` is undefined. */
export function commandOnCpus(cpus: string | undefined, command: string, args: readonly string[]): { command: string; args: string[] } {
  if (cpus === undefined) return { command, args: [...args] };
  // taskset execs the command, so the process keeps the id the caller sees.
  return { command: "taskset", args: ["-c", cpus, command, ...args] };
}

/**
 * Moves a running process, all its threads and its current children to `cpus`; children forked later
 * inherit it. For servers started by code we do not control (nats-server, the postmaster and the
 * PostgreSQL workers it has already forked).
 */
export async function moveProcessTreeToCpus(pid: number, cpus: string | undefined): Promise<void> {
  if (cpus === undefined) return;
  for (const id of [pid, ...(await childProcessIds(pid))]) {
    // A backend may end between the listing and the call; that is not a failure of the pinning.
    await execFileAsync("taskset", ["-a", "-p", "-c", cpus, String(id)]).catch((error: unknown) => {
      if (id === pid) throw error;
    });
  }
}
