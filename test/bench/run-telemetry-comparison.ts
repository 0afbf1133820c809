import { percentile } from "../support/percentile.js";
import type { BenchOptions } from "./bench-options.js";
import { benchModel, startBenchStack, type BenchStack } from "./bench-stack.js";
import { moveProcessTreeToCpus } from "./cpu-pinning.js";
import { describeMachine } from "./machine-description.js";
import { startMetricsScraper } from "./metrics-scraper.js";
import { runLoadAmount, type LoadTarget } from "./non-streaming-load.js";
import { readProcessUsage } from "./process-usage.js";
import { connectGenerationCounter, type GenerationCounter } from "./recorded-generations.js";
import type { ComparedConcurrency, ComparedStackFigures, TelemetryComparisonReport } from "./telemetry-comparison-report.js";

/** One of the two stacks, with what its measured slices have added up to at the current concurrency. */
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
 * then the other with the same number of requests (the order alternating from round to round), and
 * counts each stack's CPU over its own slices only, until that slice's generations are recorded and
 * charged. A slow minute of the VM then falls on both alike, where two benchmark runs minutes apart
 * differ by more than the 15 % they are meant to show. The stack not being loaded only idles meanwhile.
 */
export async function runTelemetryComparison(options: BenchOptions, progress: (line: string) => void = () => undefined): Promise<TelemetryComparisonReport> {
  const startedAt = new Date();
  const machine = describeMachine();
  await moveProcessTreeToCpus(process.pid, options.loadCpus);
  const stacks: ComparedStack[] = [];
  try {
    for (const telemetry of [false, true]) {
      progress(`starting the stack with telemetry ${telemetry ? "on" : "off"}`);
      const stack = await startBenchStack({ stackCpus: options.stackCpus, loadCpus: options.loadCpus, logLevel: options.logLevel, telemetry });
      // Pushed at once, so that a failure below still stops it.
      const entry = { stack, target: undefined as unknown as LoadTarget, counter: undefined as unknown as GenerationCounter, answered: 0 };
      stacks.push(entry);
      const { accountId, key } = await stack.createFundedKey("100000.00");
      entry.target = {
        url: `${stack.origin}/api/v1/chat/completions`,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: benchModel, messages: [{ role: "user", content: "benchmark me" }], max_tokens: 16 }),
      };
      entry.counter = await connectGenerationCounter(stack.databaseUrl, [accountId]);
    }
    const [off, on] = stacks as [ComparedStack, ComparedStack];
    const telemetry = on.stack.telemetry;
    if (telemetry === undefined) throw new Error("the stack with telemetry on has no collector");
    const scraper = startMetricsScraper(telemetry.metricsTargets, options.scrapeSeconds * 1_000);
    const concurrencies: ComparedConcurrency[] = [];
    try {
      for (const concurrency of options.compareConcurrencies) {
        concurrencies.push(await compareAt(off, on, concurrency, options, progress));
      }
    } finally {
      await scraper.stop();
    }
    const scrapes = await scraper.stop();
    const spans = await telemetry.spanCounts();
    const audits = await Promise.all(stacks.map(async (entry) => ({ answered: entry.answered, ...(await entry.counter.waitFor(entry.answered, 30_000)) })));
    const [offAudit, onAudit] = audits as [(typeof audits)[number], (typeof audits)[number]];
    return {
      startedAt: startedAt.toISOString(),
      durationSeconds: (Date.now() - startedAt.getTime()) / 1_000,
      machine,
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
    for (const entry of stacks) {
      await entry.counter?.close();
      await entry.stack.stop();
    }
  }
}

async function compareAt(off: ComparedStack, on: ComparedStack, concurrency: number, options: BenchOptions, progress: (line: string) => void): Promise<ComparedConcurrency> {
  progress(`concurrency ${concurrency}: warming both stacks up`);
  // The warm-up of the stack without telemetry sizes the slices: both get the same number of requests.
  const warmUp = await runSlice(off, concurrency, Math.max(concurrency * 20, 200));
  await runSlice(on, concurrency, Math.max(concurrency * 20, 200));
  const requestsPerSlice = Math.max(concurrency * 2, Math.round(warmUp.requestsPerSecond * options.compareSliceSeconds));
  const tallies = { off: emptyTally(), on: emptyTally() };
  const cpuGrowthPerRound: number[] = [];
  for (let round = 0; round < options.compareRounds; round++) {
    const order: ("off" | "on")[] = round % 2 === 0 ? ["off", "on"] : ["on", "off"];
    const cpuPerRequest = { off: 0, on: 0 };
    for (const side of order) {
      const slice = await measureSlice(side === "off" ? off : on, concurrency, requestsPerSlice, tallies[side]);
      cpuPerRequest[side] = slice;
    }
    cpuGrowthPerRound.push(cpuPerRequest.on / cpuPerRequest.off - 1);
    progress(`concurrency ${concurrency}, round ${round + 1} of ${options.compareRounds}: CPU per request off ${cpuPerRequest.off.toFixed(3)} ms, on ${cpuPerRequest.on.toFixed(3)} ms`);
  }
  const offFigures = figuresOf(tallies.off);
  const onFigures = figuresOf(tallies.on);
  return {
    concurrency,
    requestsPerSlice,
    off: offFigures,
    on: onFigures,
    cpuGrowth: onFigures.cpuMsPerRequest / offFigures.cpuMsPerRequest - 1,
    p50GrowthMs: onFigures.switchboardMs.p50 - offFigures.switchboardMs.p50,
    cpuGrowthPerRound,
  };
}

/** Sends `amount` requests untimed and waits until their generations are recorded and charged. */
async function runSlice(entry: ComparedStack, concurrency: number, amount: number) {
  const run = await runLoadAmount(entry.target, concurrency, amount);
  entry.answered += run.succeeded;
  await waitForSettlement(entry);
  return run;
}

/** One measured slice: its requests, and the stack's CPU from before them until their generations are recorded and charged. Returns its CPU per request. */
async function measureSlice(entry: ComparedStack, concurrency: number, amount: number, tally: Tally): Promise<number> {
  const before = await stackCpu(entry.stack);
  const run = await runLoadAmount(entry.target, concurrency, amount);
  entry.answered += run.succeeded;
  await waitForSettlement(entry);
  const after = await stackCpu(entry.stack);
  let total = 0;
  for (const [name, cpuMs] of after) {
    const used = cpuMs - (before.get(name) ?? 0);
    tally.cpuMsByProcess.set(name, (tally.cpuMsByProcess.get(name) ?? 0) + used);
    total += used;
  }
  tally.requests += run.succeeded;
  tally.errors += run.failed;
  tally.latenciesMs.push(...run.latenciesMs);
  return total / Math.max(1, run.succeeded);
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
    switchboardMs: { p50: percentile(tally.latenciesMs, 50), p90: percentile(tally.latenciesMs, 90), p99: percentile(tally.latenciesMs, 99) },
    cpuMsPerRequest: processes.reduce((sum, figures) => sum + figures.cpuMsPerRequest, 0),
    processes,
  };
}
