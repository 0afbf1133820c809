import { readBenchOptions } from "./bench-options.js";

/** What one soak run does; every field has an environment variable (see test/bench/README.md). */
export interface SoakOptions {
  /** CPUs (a `taskset -c` list) for the five services, nats-server and PostgreSQL; undefined = not pinned. */
  stackCpus: string | undefined;
  /** CPUs for the load generator (this process) and the fake upstream; undefined = not pinned. */
  loadCpus: string | undefined;
  /** Seconds of traffic in all, warm-up included. */
  durationSeconds: number;
  /** Seconds at the start whose samples do not count: JIT, pools and V8's young generation grow into the load then. */
  warmUpSeconds: number;
  /** Seconds between two memory samples of every process. */
  sampleSeconds: number;
  /** New requests per second, alternately streamed and not, whether or not earlier ones have ended. */
  requestsPerSecond: number;
  /** Content chunks of each streamed answer, and the upstream's pause between them. */
  streamChunks: number;
  streamIntervalMs: number;
  /** A process whose resident set rises faster than this over the second half of the run "grows". */
  growthLimitMiBPerMinute: number;
  /** The services' LOG_LEVEL; `info` is the default of a deployment. */
  logLevel: string;
  /** Where the JSON report goes; undefined = test/bench/results/soak-<time>.json. */
  resultFile: string | undefined;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** `600`, `600s`, `10m` or `1.5m` as seconds. */
export function parseSeconds(name: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m)?$/.exec(raw.trim());
  if (match === null) throw new Error(`${name}: "${raw}" is not a duration such as 600, 90s or 10m`);
  return Number(match[1]) * (match[2] === "m" ? 60 : 1);
}

function secondsSetting(environment: Environment, name: string, fallback: number): number {
  const raw = environment[name];
  return raw === undefined || raw === "" ? fallback : parseSeconds(name, raw);
}

function numberSetting(environment: Environment, name: string, fallback: number): number {
  const raw = environment[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: "${raw}" is not a positive number`);
  return value;
}

/**
 * The defaults: ten minutes at 40 requests/s (a fifth of what the stack sustains on one core, so the run
 * measures memory under steady work rather than a queue), the first minute not counted.
 */
export function readSoakOptions(environment: Environment): SoakOptions {
  const durationSeconds = secondsSetting(environment, "SOAK_DURATION", 600);
  const warmUpSeconds = secondsSetting(environment, "SOAK_WARM_UP", Math.min(60, durationSeconds / 5));
  const sampleSeconds = secondsSetting(environment, "SOAK_SAMPLE_INTERVAL", 5);
  if (warmUpSeconds >= durationSeconds) throw new Error(`SOAK_WARM_UP (${warmUpSeconds} s) must be shorter than SOAK_DURATION (${durationSeconds} s)`);
  // The slope is fitted over the second half of the counted samples; fewer than four points fit nothing.
  if ((durationSeconds - warmUpSeconds) / sampleSeconds < 8) throw new Error(`SOAK_DURATION minus SOAK_WARM_UP must hold at least 8 samples of SOAK_SAMPLE_INTERVAL (${sampleSeconds} s)`);
  // The same pinning as the benchmark's, so that one pair of variables serves both.
  const { stackCpus, loadCpus } = readBenchOptions(environment);
  return {
    stackCpus,
    loadCpus,
    durationSeconds,
    warmUpSeconds,
    sampleSeconds,
    requestsPerSecond: numberSetting(environment, "SOAK_REQUESTS_PER_SECOND", 40),
    streamChunks: numberSetting(environment, "SOAK_STREAM_CHUNKS", 10),
    streamIntervalMs: numberSetting(environment, "SOAK_STREAM_INTERVAL_MS", 50),
    growthLimitMiBPerMinute: numberSetting(environment, "SOAK_GROWTH_LIMIT_MIB_PER_MINUTE", 1),
    logLevel: environment["SOAK_LOG_LEVEL"] ?? "info",
    resultFile: environment["SOAK_RESULT_FILE"] || undefined,
  };
}
