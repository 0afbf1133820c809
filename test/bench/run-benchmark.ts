import { percentiles } from "./percentiles.js";
import type { BenchOptions } from "./bench-options.js";
import type { BenchReport, FirstTokenFigures, LatencyFigures, Percentiles, ProcessFigures, StreamStepFigures, TelemetryFigures } from "./bench-report.js";
import { benchModel, type BenchStack, type MeasuredProcess } from "./bench-stack.js";
import { startMetricsScraper, type MetricsScraper } from "./metrics-scraper.js";
import { runLoadAmount, runNonStreamingLoad, type LoadRun, type LoadTarget } from "./non-streaming-load.js";
import { readProcessUsage, type ProcessUsage } from "./process-usage.js";
import { connectGenerationCounter, type GenerationCounter } from "./recorded-generations.js";
import { runOnBenchStack, type BenchStackRun } from "./run-on-bench-stack.js";
import { holdStreams, runStreamLoop, type StreamExpectation, type StreamRecord } from "./streaming-load.js";

const mebibyte = 1024 * 1024;

function difference(through: Percentiles, direct: Percentiles): Percentiles {
  return { p50: through.p50 - direct.p50, p90: through.p90 - direct.p90, p99: through.p99 - direct.p99 };
}

function firstTokenMs(records: readonly StreamRecord[]): number[] {
  return records.flatMap((record) => (record.firstTokenAt === undefined ? [] : [record.firstTokenAt - record.startedAt]));
}

const streamFailed = (record: StreamRecord) => record.status !== 200 || !record.completed;

/** What the stack's telemetry came to, after `scraper` (started with the measurements) is stopped. */
async function telemetryFigures(stack: BenchStack, scraper: MetricsScraper | undefined, scrapeIntervalMs: number): Promise<TelemetryFigures> {
  const scrapes = (await scraper?.stop()) ?? [];
  if (stack.telemetry === undefined) {
    return { enabled: false, protocol: "none", spansReceived: 0, traceExports: 0, traceExportBytes: 0, rejectedExports: 0, scrapeIntervalMs: 0, scrapes };
  }
  const counts = await stack.telemetry.spanCounts();
  return {
    enabled: true,
    protocol: stack.telemetry.protocol,
    spansReceived: counts.spans,
    traceExports: counts.exports,
    traceExportBytes: counts.bytes,
    rejectedExports: counts.rejected,
    scrapeIntervalMs,
    scrapes,
  };
}

/**
 * Runs the whole benchmark (issue 7): starts the stack as deployed, measures it phase by phase, checks
 * that every 2xx was recorded and charged, stops everything it started, and returns the report.
 */
export async function runBenchmark(options: BenchOptions, progress: (line: string) => void = () => undefined): Promise<BenchReport> {
  return runOnBenchStack(options, progress, (run) => measure(run, options, progress));
}

/** Credit of each of the many accounts: as much as the one account has, so that both runs take the same credit path. */
const manyAccountsCredit = "100000.00";

/** The accounts of the saturation run spread over many accounts: a key of each, and a counter of their generations together. */
interface ManyAccounts {
  readonly keys: readonly string[];
  readonly counter: GenerationCounter;
}

async function measure(run: BenchStackRun, options: BenchOptions, progress: (line: string) => void): Promise<BenchReport> {
  progress(`funding ${options.saturationAccounts} more accounts for the saturation run spread over many accounts`);
  const funded = await Promise.all(Array.from({ length: options.saturationAccounts }, () => run.stack.createFundedKey(manyAccountsCredit)));
  // Audited apart from the one account: were their keys not sent, these accounts would have no generations
  // and the audit would say so, where a count over all accounts together would still match.
  const counter = await connectGenerationCounter(run.stack.databaseUrl, funded.map((account) => account.accountId));
  try {
    return await measureWith(run, { keys: funded.map((account) => account.key), counter }, options, progress);
  } finally {
    await counter.close();
  }
}

async function measureWith(run: BenchStackRun, manyAccounts: ManyAccounts, options: BenchOptions, progress: (line: string) => void): Promise<BenchReport> {
  // Scraped from the load side for the whole of the measurements, as Prometheus would scrape a deployment.
  // Prometheus-like: every service's /metrics each `scrapeSeconds` (Prometheus's own default is a minute).
  const scrapeIntervalMs = options.scrapeSeconds * 1_000;
  const scraper = run.stack.telemetry === undefined ? undefined : startMetricsScraper(run.stack.telemetry.metricsTargets, scrapeIntervalMs);
  try {
    const report = await measurePhases(run, manyAccounts, options, progress);
    const telemetry = await telemetryFigures(run.stack, scraper, scrapeIntervalMs);
    return { ...report, telemetry };
  } finally {
    await scraper?.stop();
  }
}

async function measurePhases(
  { stack, key, counter, startedAt, machine }: BenchStackRun,
  manyAccounts: ManyAccounts,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<Omit<BenchReport, "telemetry">> {
  const switchboardUrl = `${stack.origin}/api/v1/chat/completions`;
  const directUrl = `${stack.upstreamUrl}/chat/completions`;
  const switchboardHeaders = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const directHeaders = { authorization: "Bearer bench-upstream-key", "content-type": "application/json" };
  const messages = (content: string) => [{ role: "user", content }];
  const wholeThrough: LoadTarget = { url: switchboardUrl, headers: switchboardHeaders, body: JSON.stringify({ model: benchModel, messages: messages("benchmark me"), max_tokens: 16 }) };
  const wholeThroughManyAccounts: LoadTarget = { ...wholeThrough, connectionHeaders: manyAccounts.keys.map((manyAccountsKey) => ({ authorization: `Bearer ${manyAccountsKey}` })) };
  const wholeDirect: LoadTarget = { url: directUrl, headers: directHeaders, body: JSON.stringify({ model: "echo", messages: messages("benchmark me"), max_tokens: 16 }) };
  const streamTargets = (chunks: number, intervalMs: number) => {
    const content = `chunks=${chunks} interval=${intervalMs}`;
    return {
      through: { url: switchboardUrl, headers: switchboardHeaders, body: JSON.stringify({ model: benchModel, messages: messages(content), max_tokens: chunks + 16, stream: true }) },
      direct: { url: directUrl, headers: directHeaders, body: JSON.stringify({ model: "echo", messages: messages(content), max_tokens: chunks + 16, stream: true, stream_options: { include_usage: true } }) },
    };
  };

  // Every request sent through Switchboard, for the audit against what was recorded and charged.
  let succeeded = 0;
  let failed = 0;
  const countRuns = (...runs: LoadRun[]) => {
    for (const run of runs) {
      succeeded += run.succeeded;
      failed += run.failed;
    }
  };
  const countStreams = (records: readonly StreamRecord[]) => {
    for (const record of records) {
      if (record.status === 200) succeeded += 1;
      else failed += 1;
    }
  };
  const peakMemory = new Map<string, ProcessUsage>();
  // The span collector, with telemetry on, is measured on the load side like the fake upstream.
  const loadSideProcesses: MeasuredProcess[] = [stack.upstreamProcess, ...(stack.telemetry === undefined ? [] : [stack.telemetry.collectorProcess])];
  const allProcesses: MeasuredProcess[] = [...stack.stackProcesses, ...loadSideProcesses];
  const sampleMemory = async () => {
    for (const measured of allProcesses) {
      const usage = await readProcessUsage(measured.pid);
      const peak = peakMemory.get(measured.name);
      if (peak === undefined || usage.rssBytes > peak.rssBytes) peakMemory.set(measured.name, usage);
    }
  };
  const stackCpuMs = async () => (await Promise.all(stack.stackProcesses.map((measured) => readProcessUsage(measured.pid)))).reduce((total, usage) => total + usage.cpuMs, 0);
  const assertStackAlive = () => {
    const exited = stack.exitedProcesses();
    if (exited.length > 0) throw new Error(`processes exited during the benchmark:\n${exited.join("\n")}`);
  };

  progress("warming up");
  const warmUpSeconds = options.warmUpSeconds / 2;
  await runNonStreamingLoad(wholeDirect, 10, warmUpSeconds);
  const warmUp = await runNonStreamingLoad(wholeThrough, 10, warmUpSeconds);
  countRuns(warmUp.calibration, warmUp.measured);
  const quickStreams = streamTargets(3, 0);
  const quickExpectation: StreamExpectation = { intervalMs: 0, stallThresholdMs: options.stallThresholdMs, timeoutMs: 60_000 };
  countStreams(await holdStreams(quickStreams.through, { count: 10, rampMs: 0, expectation: quickExpectation }));
  await sampleMemory();

  const latency: LatencyFigures[] = [];
  for (const concurrency of options.latencyConcurrencies) {
    progress(`non-streaming latency at concurrency ${concurrency}`);
    const direct = await runNonStreamingLoad(wholeDirect, concurrency, options.latencySeconds);
    const stackCpuBefore = await stackCpuMs();
    const through = await runNonStreamingLoad(wholeThrough, concurrency, options.latencySeconds);
    countRuns(through.calibration, through.measured);
    await counter.waitFor(succeeded, 30_000);
    const stackCpuMsPerRequest = ((await stackCpuMs()) - stackCpuBefore) / (through.calibration.succeeded + through.measured.succeeded);
    const directMs = percentiles(direct.measured.latenciesMs);
    const switchboardMs = percentiles(through.measured.latenciesMs);
    latency.push({
      concurrency,
      requests: through.measured.succeeded + through.measured.failed,
      errors: through.measured.failed,
      directMs,
      switchboardMs,
      addedMs: difference(switchboardMs, directMs),
      stackCpuMsPerRequest,
    });
    assertStackAlive();
  }
  await sampleMemory();

  progress(`saturation with ${options.saturationConnections} connections: the fake upstream alone, then through Switchboard with one account`);
  const upstreamAlone = await runNonStreamingLoad(wholeDirect, options.saturationConnections, options.saturationSeconds);
  // A calibration run warms this concurrency up and sizes the measured run; the CPU counters bracket
  // the measured run and the settlement of its generations, nothing else.
  const saturationCalibration = await runLoadAmount(wholeThrough, options.saturationConnections, options.saturationConnections * 2);
  countRuns(saturationCalibration);
  await counter.waitFor(succeeded, 30_000);
  const measured = [...stack.stackProcesses, ...loadSideProcesses];
  const cpuBefore = await Promise.all(measured.map((process) => readProcessUsage(process.pid)));
  const loadGeneratorBefore = process.cpuUsage();
  const intervalStart = performance.now();
  const saturationAmount = Math.round(saturationCalibration.requestsPerSecond * options.saturationSeconds);
  const saturation = await runLoadAmount(wholeThrough, options.saturationConnections, saturationAmount);
  countRuns(saturation);
  await counter.waitFor(succeeded, 30_000);
  const measuredSeconds = (performance.now() - intervalStart) / 1000;
  const cpuAfter = await Promise.all(measured.map((process) => readProcessUsage(process.pid)));
  const loadGeneratorCpu = process.cpuUsage(loadGeneratorBefore);
  await sampleMemory();
  assertStackAlive();

  // The same number of requests again, spread over many accounts, after the CPU interval so that the CPU
  // figures stay those of the one account. Its own calibration run warms these accounts' keys and credit up.
  progress(`saturation with ${options.saturationConnections} connections through Switchboard, spread over ${options.saturationAccounts} accounts`);
  const manyAccountsCalibration = await runLoadAmount(wholeThroughManyAccounts, options.saturationConnections, options.saturationConnections * 2);
  await manyAccounts.counter.waitFor(manyAccountsCalibration.succeeded, 30_000);
  const manyAccountsSaturation = await runLoadAmount(wholeThroughManyAccounts, options.saturationConnections, saturationAmount);
  const manyAccountsSucceeded = manyAccountsCalibration.succeeded + manyAccountsSaturation.succeeded;
  const manyAccountsFailed = manyAccountsCalibration.failed + manyAccountsSaturation.failed;
  // Settled before the streaming phases, so that its backlog does not delay their first tokens.
  await manyAccounts.counter.waitFor(manyAccountsSucceeded, 30_000);
  await sampleMemory();
  assertStackAlive();

  const firstToken: FirstTokenFigures[] = [];
  for (const concurrency of options.firstTokenConcurrencies) {
    progress(`time to first token with ${concurrency} concurrent streams`);
    const direct = await runStreamLoop(quickStreams.direct, { concurrency, seconds: options.firstTokenSeconds, expectation: quickExpectation });
    const through = await runStreamLoop(quickStreams.through, { concurrency, seconds: options.firstTokenSeconds, expectation: quickExpectation });
    countStreams(through);
    const directAll = percentiles(firstTokenMs(direct));
    const throughAll = percentiles(firstTokenMs(through));
    firstToken.push({
      streams: concurrency,
      requests: through.length,
      errors: through.filter(streamFailed).length,
      directMs: { p50: directAll.p50, p99: directAll.p99 },
      switchboardMs: { p50: throughAll.p50, p99: throughAll.p99 },
      addedMs: { p50: throughAll.p50 - directAll.p50, p99: throughAll.p99 - directAll.p99 },
    });
    assertStackAlive();
  }

  const pacedStreams = streamTargets(options.streamChunks, options.streamIntervalMs);
  const pacedExpectation: StreamExpectation = {
    intervalMs: options.streamIntervalMs,
    stallThresholdMs: options.stallThresholdMs,
    timeoutMs: options.streamChunks * options.streamIntervalMs + 60_000,
  };
  const streamSteps: StreamStepFigures[] = [];
  for (const count of options.streamSteps) {
    progress(`${count} concurrent streams`);
    const stepStartedAt = performance.now();
    // Spread over at most a third of a stream's length, so that every stream is open at the same time.
    const rampMs = Math.min(1_000, (options.streamChunks * options.streamIntervalMs) / 3);
    const records = await holdStreams(pacedStreams.through, { count, rampMs, expectation: pacedExpectation });
    countStreams(records);
    const firstTokens = percentiles(firstTokenMs(records));
    streamSteps.push({
      streams: count,
      stalls: records.reduce((total, record) => total + record.stalls, 0),
      streamsWithStalls: records.filter((record) => record.stalls > 0).length,
      failed: records.filter(streamFailed).length,
      longestGapMs: Math.max(0, ...records.map((record) => record.longestGapMs)),
      firstTokenMs: { p50: firstTokens.p50, p99: firstTokens.p99 },
      seconds: (performance.now() - stepStartedAt) / 1000,
    });
    await sampleMemory();
    assertStackAlive();
  }

  progress("checking that every 2xx was recorded and charged");
  const recorded = await counter.waitFor(succeeded, 30_000);
  const manyAccountsRecorded = await manyAccounts.counter.waitFor(manyAccountsSucceeded, 30_000);

  const saturationRequests = saturation.succeeded;
  const processFigures = (name: string, before: ProcessUsage, after: ProcessUsage): ProcessFigures => {
    const peak = peakMemory.get(name) ?? after;
    const cpuMs = after.cpuMs - before.cpuMs;
    return {
      name,
      processes: peak.processes,
      rssMiB: peak.rssBytes / mebibyte,
      pssMiB: peak.pssBytes / mebibyte,
      cpuMs,
      cpuMsPerRequest: cpuMs / Math.max(saturationRequests, 1),
    };
  };
  const figures = measured.map((process, index) => processFigures(process.name, cpuBefore[index] as ProcessUsage, cpuAfter[index] as ProcessUsage));
  const stackFigures = figures.slice(0, stack.stackProcesses.length);
  const loadGeneratorMs = (loadGeneratorCpu.user + loadGeneratorCpu.system) / 1000;
  const loadGeneratorMemory = process.memoryUsage().rss / mebibyte;
  let largestStallFreeStreams = 0;
  for (const step of streamSteps) if (step.stalls === 0 && step.failed === 0) largestStallFreeStreams = Math.max(largestStallFreeStreams, step.streams);

  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine,
    options,
    latency,
    saturation: {
      connections: options.saturationConnections,
      switchboardRequestsPerSecond: saturation.requestsPerSecond,
      switchboardRequests: saturationRequests,
      switchboardErrors: saturation.failed,
      manyAccounts: {
        accounts: manyAccounts.keys.length,
        requestsPerSecond: manyAccountsSaturation.requestsPerSecond,
        requests: manyAccountsSaturation.succeeded,
        errors: manyAccountsSaturation.failed,
      },
      manyToOneAccountRatio: saturation.requestsPerSecond > 0 ? manyAccountsSaturation.requestsPerSecond / saturation.requestsPerSecond : 0,
      upstreamRequestsPerSecond: upstreamAlone.measured.requestsPerSecond,
      upstreamErrors: upstreamAlone.measured.failed,
      measuredSeconds,
    },
    firstToken,
    streamSteps,
    largestStallFreeStreams,
    processes: stackFigures,
    totalCpuMsPerRequest: stackFigures.reduce((total, process) => total + process.cpuMsPerRequest, 0),
    loadSide: [
      ...figures.slice(stack.stackProcesses.length),
      {
        name: "load generator",
        processes: 1,
        rssMiB: loadGeneratorMemory,
        pssMiB: loadGeneratorMemory,
        cpuMs: loadGeneratorMs,
        cpuMsPerRequest: loadGeneratorMs / Math.max(saturationRequests, 1),
      },
    ],
    audit: {
      switchboardSucceeded: succeeded + manyAccountsSucceeded,
      switchboardFailed: failed + manyAccountsFailed,
      generationsRecorded: recorded.recorded + manyAccountsRecorded.recorded,
      generationsCharged: recorded.charged + manyAccountsRecorded.charged,
      matches:
        recorded.recorded === succeeded &&
        recorded.charged === succeeded &&
        manyAccountsRecorded.recorded === manyAccountsSucceeded &&
        manyAccountsRecorded.charged === manyAccountsSucceeded,
    },
  };
}
