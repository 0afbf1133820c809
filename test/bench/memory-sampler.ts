import type { MeasuredProcess } from "./bench-stack.js";
import type { MemorySample } from "./memory-trend.js";
import { readProcessUsage } from "./process-usage.js";

const mebibyte = 1024 * 1024;

/** Memory samples of a set of processes, taken at a fixed interval until stopped. */
export interface MemorySampler {
  /** Samples by process name, oldest first. */
  readonly samples: ReadonlyMap<string, readonly MemorySample[]>;
  /** Stops sampling after a last sample of every process. */
  stop(): Promise<void>;
}

/**
 * Reads every process's resident and proportional sets, anonymous memory and CPU time (postgres: the postmaster and its children)
 * every `intervalSeconds`, timed from `startedAt` (a `performance.now()` reading). A process that has
 * ended is skipped; the caller notices it from the stack.
 */
export function startMemorySampler(processes: readonly MeasuredProcess[], options: { intervalSeconds: number; startedAt: number }): MemorySampler {
  const samples = new Map<string, MemorySample[]>(processes.map((measured) => [measured.name, []]));
  const sampleAll = async () => {
    const atSeconds = (performance.now() - options.startedAt) / 1000;
    for (const measured of processes) {
      const usage = await readProcessUsage(measured.pid).catch(() => undefined);
      if (usage === undefined) continue;
      samples.get(measured.name)?.push({ atSeconds, rssMiB: usage.rssBytes / mebibyte, anonymousMiB: usage.anonymousBytes / mebibyte, pssMiB: usage.pssBytes / mebibyte, cpuMs: usage.cpuMs });
    }
  };
  let stopping = false;
  // The pause between two samples, ended early by stop().
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;
  const running = (async () => {
    for (let taken = 0; !stopping; taken += 1) {
      await sampleAll();
      // Scheduled from the start, so the time a sample takes does not stretch the interval.
      const wait = options.startedAt + (taken + 1) * options.intervalSeconds * 1000 - performance.now();
      if (wait > 0 && !stopping) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, wait);
        });
      }
    }
    await sampleAll();
  })();
  return {
    samples,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      wake();
      await running;
    },
  };
}
