import type { BenchOptions } from "./bench-options.js";
import { benchModel, startBenchStack, type BenchStack } from "./bench-stack.js";
import { moveProcessTreeToCpus } from "./cpu-pinning.js";
import { growthPerPairOfRounds } from "./growth-per-pair-of-rounds.js";
import { describeMachine } from "./machine-description.js";
import { startMetricsScraper, type ScrapeCounts } from "./metrics-scraper.js";
import { runLoadAmount, type LoadTarget } from "./non-streaming-load.js";
import { percentiles } from "./percentiles.js";
import { readProcessUsage } from "./process-usage.js";
import { connectGenerationCounter, type GenerationCounter } from "./recorded-generations.js";
import type { ComparedConcurrency, ComparedStackFigures, TelemetryComparisonReport } from "./telemetry-comparison-report.js";

/** One of the two stacks: where to send its requests, and how many of them it has answered. */
interface ComparedStack {
  readonly stack: BenchStack;
  readonly target: LoadTarget;
  readonly counter: GenerationCounter;
  /** Every 2xx it answered, warm-up included: what its generation counter must reach. */
  answered: number;
}

interface Tally {
  requests: number;
  errors: number;
  latenciesMs: number[];
  cpuMsByProcess: Map<string, number>;
}

const emptyTally = (): Tally => ({ requests: 0, errors: 0, latenciesMs: [], cpuMsByProcess: new Map() });

/**
 * Issue 12's "telemetry is cheap", measured so that the machine's drift cannot decide it: two stacks run at
 * once on the same CPUs, one with telemetry off and one with it on (traces exported to a collector,
 * /metrics scraped), and take turns under the same load. At each concurrency each round loads one and
 * then the other with the same number of requests (the order alternating from round to round). A slow
 * minute of the VM then falls on both alike, where two benchmark runs minutes apart differ by more than
 * the 15 % they are meant to show. The stack not being loaded only idles meanwhile; each stack's CPU is
 * counted over the whole comparison (see compareAt), so both carry their idle time alike.
 *
 * With `telemetryControl` (BENCH_TELEMETRY=control) the second stack has telemetry off too and nothing is
 * scraped: the same measurement where there is nothing to find, which shows how far a comparison's
 * figures can be trusted on this machine.
 */
export async function runTelemetryComparison(options: BenchOptions, progress: (line: string) => void = () => undefined): Promise<TelemetryComparisonReport> {
  const startedAt = new Date();
  const machine = describeMachine();
  await moveProcessTreeToCpus(process.pid, options.loadCpus);
  // Kept apart from `stacks` so that whatever was started is stopped, also when a later step fails.
  const started: BenchStack[] = [];
  const counters: GenerationCounter[] = [];
  const stacks: ComparedStack[] = [];
  try {
    for (const telemetry of [false, !options.telemetryControl]) {
      progress(`starting the stack with telemetry ${telemetry ? "on" : "off"}`);
      const stack = await startBenchStack({ stackCpus: options.stackCpus, loadCpus: options.loadCpus, logLevel: options.logLevel, telemetry });
      started.push(stack);
      const { accountId, key } = await stack.createFundedKey("100000.00");
      const counter = await connectGenerationCounter(stack.databaseUrl, [accountId]);
      counters.push(counter);
      const target: LoadTarget = {
        url: `${stack.origin}/api/v1/chat/completions`,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: benchModel, messages: [{ role: "user", content: "benchmark me" }], max_tokens: 16 }),
      };
      stacks.push({ stack, target, counter, answered: 0 });
    }
    const [off, on] = stacks as [ComparedStack, ComparedStack];
    const telemetry = on.stack.telemetry;
    if (telemetry === undefined && !options.telemetryControl) throw new Error("the stack with telemetry on has no collector");
    const scraper = telemetry === undefined ? undefined : startMetricsScraper(telemetry.metricsTargets, options.scrapeSeconds * 1_000);
    const concurrencies: ComparedConcurrency[] = [];
    let scrapes: ScrapeCounts[];
    try {
      for (const concurrency of options.compareConcurrencies) {
        concurrencies.push(await compareAt(off, on, concurrency, options, progress));
      }
    } finally {
      scrapes = scraper === undefined ? [] : await scraper.stop();
    }
    const spans = telemetry === undefined ? { spans: 0, rejected: 0 } : await telemetry.spanCounts();
    const audits = await Promise.all(stacks.map(async (entry) => ({ answered: entry.answered, ...(await entry.counter.waitFor(entry.answered, 30_000)) })));
    const [offAudit, onAudit] = audits as [(typeof audits)[number], (typeof audits)[number]];
    return {
      startedAt: startedAt.toISOString(),
      durationSeconds: (Date.now() - startedAt.getTime()) / 1_000,
      machine,
      control: options.telemetryControl,
      options: {
        stackCpus: options.stackCpus,
        loadCpus: options.loadCpus,
        rounds: options.compareRounds,
        concurrencies: options.compareConcurrencies,
        sliceSeconds: options.compareSliceSeconds,
        scrapeSeconds: options.scrapeSeconds,
        logLevel: options.logLevel,
      },
      concurrencies,
      spansReceived: spans.spans,
      spansPerRequest: spans.spans / Math.max(1, on.answered),
      rejectedExports: spans.rejected,
      scrapes,
      audit: {
        off: offAudit,
        on: onAudit,
        matches: audits.every((audit) => audit.recorded === audit.answered && audit.charged === audit.answered),
      },
    };
  } finally {
    for (const counter of counters) await counter.close();
    for (const stack of started) await stack.stop();
  }
}

/**
 * How long after its last slice a stack's CPU is still counted: the batch span processor exports what is
 * left of a batch 5 s after its first span at the latest (`OTEL_BSP_SCHEDULE_DELAY`, which the stack
 * inherits from this process), and that export is the slice's cost.
 */
function exportDelayMs(): number {
  const configured = Number(process.env["OTEL_BSP_SCHEDULE_DELAY"]);
  return (Number.isFinite(configured) && configured > 0 ? configured : 5_000) + 500;
}

async function compareAt(off: ComparedStack, on: ComparedStack, concurrency: number, options: BenchOptions, progress: (line: string) => void): Promise<ComparedConcurrency> {
  progress(`concurrency ${concurrency}: warming both stacks up`);
  // The warm-up of the stack without telemetry sizes the slices: both get the same number of requests.
  const warmUp = await runSlice(off, concurrency, Math.max(concurrency * 20, 200));
  await runSlice(on, concurrency, Math.max(concurrency * 20, 200));
  const requestsPerSlice = Math.max(concurrency * 2, Math.round(warmUp.requestsPerSecond * options.compareSliceSeconds));
  const tallies = { off: emptyTally(), on: emptyTally() };
  // Each stack's CPU is counted from the start of one of its slices to the start of its next one: what a
  // slice left to do (a span export, a settlement batch) is done while the other stack is loaded, and
  // counts for it. Both stacks are so counted over the whole comparison, idle time included alike.
  const cpuSince = { off: await stackCpu(off.stack), on: await stackCpu(on.stack) };
  const requestsOfLastSlice = { off: 0, on: 0 };
  const cpuPerRequestOfRound: { off: number; on: number }[] = [];
  const closeInterval = async (side: "off" | "on", round: number) => {
    const entry = side === "off" ? off : on;
    const now = await stackCpu(entry.stack);
    const used = addCpu(tallies[side], cpuSince[side], now);
    cpuSince[side] = now;
    const previous = cpuPerRequestOfRound[round - 1];
    if (previous !== undefined) previous[side] = used / Math.max(1, requestsOfLastSlice[side]);
  };
  for (let round = 0; round < options.compareRounds; round++) {
    cpuPerRequestOfRound.push({ off: 0, on: 0 });
    const order: ("off" | "on")[] = round % 2 === 0 ? ["off", "on"] : ["on", "off"];
    for (const side of order) {
      if (round > 0) await closeInterval(side, round);
      const entry = side === "off" ? off : on;
      const run = await runSlice(entry, concurrency, requestsPerSlice);
      tallies[side].requests += run.succeeded;
      tallies[side].errors += run.failed;
      tallies[side].latenciesMs.push(...run.latenciesMs);
      requestsOfLastSlice[side] = run.succeeded;
    }
    if (round > 0) {
      const finished = cpuPerRequestOfRound[round - 1] as { off: number; on: number };
      progress(`concurrency ${concurrency}, round ${round} of ${options.compareRounds}: CPU per request off ${finished.off.toFixed(3)} ms, on ${finished.on.toFixed(3)} ms`);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, exportDelayMs()));
  for (const side of ["off", "on"] as const) await closeInterval(side, options.compareRounds);
  const last = cpuPerRequestOfRound.at(-1) as { off: number; on: number };
  progress(`concurrency ${concurrency}, round ${options.compareRounds} of ${options.compareRounds}: CPU per request off ${last.off.toFixed(3)} ms, on ${last.on.toFixed(3)} ms`);
  const offFigures = figuresOf(tallies.off);
  const onFigures = figuresOf(tallies.on);
  return {
    concurrency,
    requestsPerSlice,
    off: offFigures,
    on: onFigures,
    cpuGrowth: onFigures.cpuMsPerRequest / offFigures.cpuMsPerRequest - 1,
    p50GrowthMs: onFigures.switchboardMs.p50 - offFigures.switchboardMs.p50,
    cpuGrowthPerRound: cpuPerRequestOfRound.map((round) => round.on / round.off - 1),
    cpuGrowthPerPairOfRounds: growthPerPairOfRounds(cpuPerRequestOfRound),
  };
}

/** Sends `amount` requests and waits until their generations are recorded and charged. */
async function runSlice(entry: ComparedStack, concurrency: number, amount: number) {
  const run = await runLoadAmount(entry.target, concurrency, amount);
  entry.answered += run.succeeded;
  await waitForSettlement(entry);
  return run;
}

/** Adds the CPU each process used between two readings to the tally; returns the total. */
function addCpu(tally: Tally, before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [name, cpuMs] of after) {
    const used = cpuMs - (before.get(name) ?? 0);
    tally.cpuMsByProcess.set(name, (tally.cpuMsByProcess.get(name) ?? 0) + used);
    total += used;
  }
  return total;
}

async function waitForSettlement(entry: ComparedStack): Promise<void> {
  const counts = await entry.counter.waitFor(entry.answered, 30_000);
  if (counts.recorded < entry.answered || counts.charged < entry.answered) {
    throw new Error(`generations not recorded and charged within 30 s: ${entry.answered} answered, ${counts.recorded} recorded, ${counts.charged} charged`);
  }
  const exited = entry.stack.exitedProcesses();
  if (exited.length > 0) throw new Error(`processes exited during the comparison:\n${exited.join("\n")}`);
}

async function stackCpu(stack: BenchStack): Promise<Map<string, number>> {
  const usages = await Promise.all(stack.stackProcesses.map(async (measured) => [measured.name, (await readProcessUsage(measured.pid)).cpuMs] as const));
  return new Map(usages);
}

function figuresOf(tally: Tally): ComparedStackFigures {
  const requests = Math.max(1, tally.requests);
  const processes = [...tally.cpuMsByProcess].map(([name, cpuMs]) => ({ name, cpuMsPerRequest: cpuMs / requests }));
  return {
    requests: tally.requests,
    errors: tally.errors,
    switchboardMs: percentiles(tally.latenciesMs),
    cpuMsPerRequest: processes.reduce((sum, figures) => sum + figures.cpuMsPerRequest, 0),
    processes,
  };
}
