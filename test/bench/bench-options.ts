/** What one benchmark run does; every field has an environment variable (see test/bench/README.md). */
export interface BenchOptions {
  /** CPUs (a `taskset -c` list, e.g. `0`) for the five services, nats-server and PostgreSQL; undefined = not pinned. */
  stackCpus: string | undefined;
  /** CPUs for the load generator (this process) and the fake upstream; undefined = not pinned. */
  loadCpus: string | undefined;
  /** Seconds of untimed traffic before the first measurement, so that JIT and pools are warm. */
  warmUpSeconds: number;
  /** Seconds of each latency measurement (direct and through Switchboard, each concurrency). */
  latencySeconds: number;
  /** Concurrencies of the non-streaming latency runs. */
  latencyConcurrencies: number[];
  /** Seconds of the saturation runs (through Switchboard, and the fake upstream alone). */
  saturationSeconds: number;
  /** Connections of the saturation runs. */
  saturationConnections: number;
  /**
   * Accounts the second saturation run through Switchboard spreads its load over, each connection using
   * one account's key in turn; at most `saturationConnections`, so that every account is used.
   */
  saturationAccounts: number;
  /** Seconds of each time-to-first-token measurement. */
  firstTokenSeconds: number;
  /** Concurrent streams of the time-to-first-token runs. */
  firstTokenConcurrencies: number[];
  /** Concurrent streams held at each step of the stall test. */
  streamSteps: number[];
  /** Content chunks of each stream of the stall test, and the upstream's pause between them. */
  streamChunks: number;
  streamIntervalMs: number;
  /** A chunk arriving this much later than the upstream's pacing is a stall. */
  stallThresholdMs: number;
  /** The services' LOG_LEVEL; `info` is the default of a deployment. */
  logLevel: string;
  /**
   * `BENCH_TELEMETRY=on`: every service exports its traces (OTLP http/protobuf) to a span-counting
   * collector of the run's own and has its /metrics scraped (`scrapeSeconds`), as deployed with an
   * OpenTelemetry Collector and Prometheus (issue 12: "telemetry is cheap"). Off (the default), nothing is changed.
   */
  telemetry: boolean;
  /**
   * `BENCH_TELEMETRY=compare`: instead of the benchmark, two stacks at once on the same CPUs, one with
   * telemetry off and one with it on (as above), loaded in turns (run-telemetry-comparison.ts).
   */
  telemetryComparison: boolean;
  /**
   * `BENCH_TELEMETRY=control`: the comparison with telemetry off on both stacks (nothing exported, nothing
   * scraped): what it reads when there is nothing to find, so how far its figures can be trusted.
   */
  telemetryControl: boolean;
  /** Of the comparison: rounds (each loads both stacks once, in alternating order), and concurrencies. */
  compareRounds: number;
  compareConcurrencies: number[];
  /** Of the comparison: about how long each stack is loaded per round at each concurrency, seconds. */
  compareSliceSeconds: number;
  /**
   * With telemetry on, seconds between scrapes of every /metrics (`BENCH_SCRAPE_SECONDS`): 15 by default,
   * the interval deploy/otel/prometheus.yaml ships; 1 is the harsh case. A scrape costs a few milliseconds of
   * CPU whatever the traffic, so at one a second it shows up in the CPU per request of a slow machine.
   */
  scrapeSeconds: number;
  /** Where the JSON report is written; undefined = test/bench/results/bench-<time>.json. */
  resultFile: string | undefined;
}

type Environment = Readonly<Record<string, string | undefined>>;

function numberSetting(environment: Environment, name: string, fallback: number): number {
  const raw = environment[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: "${raw}" is not a non-negative number`);
  return value;
}

function positiveSetting(environment: Environment, name: string, fallback: number): number {
  const value = numberSetting(environment, name, fallback);
  if (value === 0) throw new Error(`${name}: must be more than 0`);
  return value;
}

function countSetting(environment: Environment, name: string, fallback: number): number {
  const value = positiveSetting(environment, name, fallback);
  if (!Number.isInteger(value)) throw new Error(`${name}: "${environment[name]}" is not a whole number`);
  return value;
}

function listSetting(environment: Environment, name: string, fallback: number[]): number[] {
  const raw = environment[name];
  if (raw === undefined || raw === "") return fallback;
  const values = raw.split(",").map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) throw new Error(`${name}: "${raw}" is not a comma-separated list of positive integers`);
  return values;
}

function cpuSetting(environment: Environment, name: string): string | undefined {
  const raw = environment[name]?.trim();
  if (raw === undefined || raw === "") return undefined;
  if (!/^[0-9]+([-,][0-9]+)*$/.test(raw)) throw new Error(`${name}: "${raw}" is not a CPU list such as 0 or 0-1 or 0,2`);
  return raw;
}

function telemetrySetting(environment: Environment): "off" | "on" | "compare" | "control" {
  const raw = environment["BENCH_TELEMETRY"]?.trim().toLowerCase();
  if (raw === undefined || raw === "" || raw === "off") return "off";
  if (raw === "on" || raw === "compare" || raw === "control") return raw;
  throw new Error(`BENCH_TELEMETRY: "${environment["BENCH_TELEMETRY"]}" is none of off, on, compare, control`);
}

/** The defaults finish in about three minutes on a two-core machine. */
export function readBenchOptions(environment: Environment): BenchOptions {
  const saturationConnections = numberSetting(environment, "BENCH_SATURATION_CONNECTIONS", 100);
  const saturationAccounts = numberSetting(environment, "BENCH_SATURATION_ACCOUNTS", 50);
  // An account without a connection would send nothing, and the report would name more accounts than carried the load.
  if (!Number.isInteger(saturationAccounts) || saturationAccounts < 1 || saturationAccounts > saturationConnections) {
    throw new Error(`BENCH_SATURATION_ACCOUNTS: ${saturationAccounts} is not a whole number from 1 to BENCH_SATURATION_CONNECTIONS (${saturationConnections})`);
  }
  const telemetry = telemetrySetting(environment);
  return {
    stackCpus: cpuSetting(environment, "BENCH_STACK_CPUS"),
    loadCpus: cpuSetting(environment, "BENCH_LOAD_CPUS"),
    warmUpSeconds: numberSetting(environment, "BENCH_WARM_UP_SECONDS", 3),
    latencySeconds: numberSetting(environment, "BENCH_LATENCY_SECONDS", 5),
    latencyConcurrencies: listSetting(environment, "BENCH_LATENCY_CONCURRENCIES", [1, 50]),
    saturationSeconds: numberSetting(environment, "BENCH_SATURATION_SECONDS", 10),
    saturationConnections,
    saturationAccounts,
    firstTokenSeconds: numberSetting(environment, "BENCH_FIRST_TOKEN_SECONDS", 5),
    firstTokenConcurrencies: listSetting(environment, "BENCH_FIRST_TOKEN_CONCURRENCIES", [1, 20]),
    streamSteps: listSetting(environment, "BENCH_STREAM_STEPS", [10, 100, 250, 500, 1000]),
    streamChunks: numberSetting(environment, "BENCH_STREAM_CHUNKS", 30),
    streamIntervalMs: numberSetting(environment, "BENCH_STREAM_INTERVAL_MS", 100),
    stallThresholdMs: numberSetting(environment, "BENCH_STALL_THRESHOLD_MS", 100),
    logLevel: environment["BENCH_LOG_LEVEL"] ?? "info",
    telemetry: telemetry === "on",
    telemetryComparison: telemetry === "compare" || telemetry === "control",
    telemetryControl: telemetry === "control",
    compareRounds: countSetting(environment, "BENCH_COMPARE_ROUNDS", 10),
    compareConcurrencies: listSetting(environment, "BENCH_COMPARE_CONCURRENCIES", [1, 20]),
    compareSliceSeconds: positiveSetting(environment, "BENCH_COMPARE_SLICE_SECONDS", 2),
    scrapeSeconds: positiveSetting(environment, "BENCH_SCRAPE_SECONDS", 15),
    resultFile: environment["BENCH_RESULT_FILE"] || undefined,
  };
}
