import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isProcessAlive, readProcessCommandLine, terminateProcess } from "./process-inspection.js";

/** A process of a launch, and a string its command line contains, to tell it from a reused PID. */
export interface RecordedProcess {
  name: string;
  pid: number;
  marker: string;
}

/** `.switchboard/run/launch.json`: the running launcher and its children, for cleaning up after a SIGKILL. */
export interface LaunchRecord {
  launcher: RecordedProcess;
  processes: RecordedProcess[];
}

function isRecordedProcess(value: unknown): value is RecordedProcess {
  const candidate = value as Partial<RecordedProcess> | null;
  return typeof candidate?.name === "string" && Number.isInteger(candidate.pid) && typeof candidate.marker === "string";
}

export function parseLaunchRecord(text: string): LaunchRecord | undefined {
  try {
    const value = JSON.parse(text) as { launcher?: unknown; processes?: unknown } | null;
    if (!isRecordedProcess(value?.launcher) || !Array.isArray(value.processes)) return undefined;
    return { launcher: value.launcher, processes: value.processes.filter(isRecordedProcess) };
  } catch {
    return undefined;
  }
}

/** Another launcher is running on the same `.switchboard` directory. */
export class LauncherAlreadyRunningError extends Error {
  constructor(pid: number) {
    super(`Switchboard is already running from this checkout (launcher pid ${pid}). Stop it with Ctrl-C (or kill ${pid}) first.`);
    this.name = "LauncherAlreadyRunningError";
  }
}

async function isRunning(recorded: RecordedProcess): Promise<boolean> {
  if (!isProcessAlive(recorded.pid)) return false;
  return (await readProcessCommandLine(recorded.pid))?.includes(recorded.marker) ?? false;
}

/**
 * The record of this launch. `claim()` refuses when another launcher is alive and stops what a killed
 * one left behind (children run in their own process groups, so they outlive a SIGKILLed launcher).
 */
export class LaunchRecorder {
  readonly #file: string;
  readonly #record: LaunchRecord;

  constructor(file: string, launcher: RecordedProcess) {
    this.#file = file;
    this.#record = { launcher, processes: [] };
  }

  /** Returns the names of leftover processes it stopped. */
  async claim(): Promise<string[]> {
    const earlier = parseLaunchRecord(this.#readEarlier());
    const stopped: string[] = [];
    if (earlier !== undefined) {
      if (earlier.launcher.pid !== this.#record.launcher.pid && (await isRunning(earlier.launcher))) {
        throw new LauncherAlreadyRunningError(earlier.launcher.pid);
      }
      for (const leftover of [...earlier.processes].reverse()) {
        if (!(await isRunning(leftover))) continue;
        await terminateProcess(leftover.pid, "SIGTERM", 5_000);
        stopped.push(`${leftover.name} (pid ${leftover.pid})`);
      }
    }
    this.#write();
    return stopped;
  }

  add(process: RecordedProcess): void {
    this.#record.processes.push(process);
    this.#write();
  }

  /** After a clean shutdown nothing is left to clean up. */
  remove(): void {
    rmSync(this.#file, { force: true });
  }

  #readEarlier(): string {
    try {
      return readFileSync(this.#file, "utf8");
    } catch {
      return "";
    }
  }

  #write(): void {
    const temporary = `${this.#file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.#record, null, 2)}\n`);
    renameSync(temporary, this.#file);
  }
}
