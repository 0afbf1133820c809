import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { rename } from "node:fs/promises";
import { createLineSplitter } from "./log-lines.js";

/** How a child process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** Short name used in messages and as the console prefix, e.g. `router`. */
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  environment: Readonly<Record<string, string | undefined>>;
  /** stdout and stderr go here; an earlier file is kept as `<name>.previous.log`. */
  logFile: string;
  onLine?: (line: string) => void;
}

/** A child process the launcher started, with its output in a log file. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ProcessExit>;
  hasExited(): boolean;
  /** The last lines it printed, for a crash report. */
  recentLines(): readonly string[];
  /** Sends `signal` (default SIGTERM), then SIGKILL once `timeoutMs` has passed. */
  stop(timeoutMs: number, signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** Synchronous last resort for process 'exit' handlers. */
  kill(signal: NodeJS.Signals): void;
}

const recentLineCount = 30;

/** Human wording of an exit, e.g. `exit code 1` or `signal SIGKILL`. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
}

/**
 * Starts a child in its own process group (`detached`), so a Ctrl-C in the terminal reaches only the
 * launcher, which then stops the children in order (services before the servers they depend on).
 */
export async function startManagedProcess(options: ManagedProcessOptions): Promise<ManagedProcess> {
  await rename(options.logFile, options.logFile.replace(/\.log$/, ".previous.log")).catch(() => undefined);
  const log = createWriteStream(options.logFile, { flags: "w" });
  const recent: string[] = [];
  const splitter = createLineSplitter((line) => {
    recent.push(line);
    if (recent.length > recentLineCount) recent.shift();
    options.onLine?.(line);
  });

  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.environment,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error) => reject(new Error(`Cannot start ${options.name} (${options.command}): ${error.message}`, { cause: error })));
  });
  const pid = child.pid as number;

  let exitedNow = false;
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk: Buffer) => {
      log.write(chunk);
      splitter.push(chunk);
    });
  }
  const exited = new Promise<ProcessExit>((resolve) => {
    // 'close' (not 'exit') so that every line it wrote has been read.
    child.once("close", (code, signal) => {
      exitedNow = true;
      splitter.flush();
      log.end();
      resolve({ code, signal });
    });
  });

  const kill = (signal: NodeJS.Signals) => {
    if (exitedNow) return;
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  };

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    hasExited: () => exitedNow,
    recentLines: () => [...recent],
    kill,
    async stop(timeoutMs, signal = "SIGTERM") {
      if (exitedNow) return exited;
      kill(signal);
      const timer = setTimeout(() => kill("SIGKILL"), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
