import { Counter } from "prom-client";
import { LabelledChildren } from "./labelled-children.js";
import { metricNames, tokenTypes } from "./metric-names.js";
import { PreboundCounter, type PreboundCounterChild } from "./prebound-counter.js";
import { PreboundHistogram, type PreboundHistogramChild } from "./prebound-histogram.js";
import { processMetricsRegistry } from "./process-metrics-registry.js";

/** Seconds: a short non-streamed answer to a ten-minute reasoning run (GENERATION_MAX_DURATION_MS). */
const generationDurationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];
const timeToFirstTokenBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

/**
 * The tokens of one generation as charged: the fields of the contracts' `TokenUsage`, so ingress passes
 * the usage it holds as it is.
 */
export interface GenerationTokens {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  readonly cachedPromptTokens: number;
  readonly cacheWriteTokens: number;
}

interface GenerationChildren {
  duration: PreboundHistogramChild;
  timeToFirstToken: PreboundHistogramChild;
  input: PreboundCounterChild;
  output: PreboundCounterChild;
  reasoning: PreboundCounterChild;
  cachedInput: PreboundCounterChild;
  cacheWrite: PreboundCounterChild;
  cost: PreboundCounterChild;
}

/**
 * The generation series, recorded by ingress once per generation when it ends (it alone sees a generation
 * whole, fallbacks included): duration and time-to-first-token histograms, token and cost counters by
 * model and provider, and fallbacks by model and reason.
 */
export class GenerationMetrics {
  private readonly children: LabelledChildren<GenerationChildren>;
  private readonly fallbacks: LabelledChildren<{ inc(): void }>;

  constructor() {
    const registry = processMetricsRegistry();
    const labelNames = ["model", "provider"];
    const duration = new PreboundHistogram(
      metricNames.generationDuration,
      "Seconds from a generation's start to its end, by the model and provider that served it.",
      labelNames,
      generationDurationBuckets,
      registry,
    );
    const timeToFirstToken = new PreboundHistogram(
      metricNames.generationTimeToFirstToken,
      "Seconds from a generation's start to its first output, fallbacks included, by model and provider.",
      labelNames,
      timeToFirstTokenBuckets,
      registry,
    );
    const tokens = new PreboundCounter(
      metricNames.generationTokens,
      "Tokens charged for generations, by model, provider and type (input, output, reasoning, cached_input, cache_write).",
      ["model", "provider", "type"],
      registry,
    );
    const cost = new PreboundCounter(metricNames.generationCost, "US dollars charged for generations, by model and provider.", labelNames, registry);
    // Fallbacks are rare: prom-client's own counter will do.
    const fallbacks = new Counter({
      name: metricNames.fallbacks,
      help: "Attempts that failed and were followed by another candidate, by the failed attempt's model and error code.",
      labelNames: ["model", "reason"] as const,
      registers: [registry],
    });
    this.children = new LabelledChildren(([model = "", provider = ""]) => ({
      duration: duration.child([model, provider]),
      timeToFirstToken: timeToFirstToken.child([model, provider]),
      input: tokens.child([model, provider, tokenTypes.input]),
      output: tokens.child([model, provider, tokenTypes.output]),
      reasoning: tokens.child([model, provider, tokenTypes.reasoning]),
      cachedInput: tokens.child([model, provider, tokenTypes.cachedInput]),
      cacheWrite: tokens.child([model, provider, tokenTypes.cacheWrite]),
      cost: cost.child([model, provider]),
    }));
    this.fallbacks = new LabelledChildren(([model = "", reason = ""]) => fallbacks.labels(model, reason));
  }

  /**
   * One finished generation: the catalog model and provider id that served it (or were last tried), its
   * duration, its time to first output (null when none came), its tokens and its cost. Plain arguments
   * rather than an options object: this runs once per request, and allocates nothing of its own. Counters
   * of zero are left alone: most generations have no reasoning or cache tokens.
   */
  recordGeneration(model: string, provider: string, durationSeconds: number, timeToFirstTokenSeconds: number | null, tokens: GenerationTokens, costUsd: number): void {
    const children = this.children.of2(model, provider);
    children.duration.observe(durationSeconds);
    if (timeToFirstTokenSeconds !== null) children.timeToFirstToken.observe(timeToFirstTokenSeconds);
    if (tokens.promptTokens > 0) children.input.inc(tokens.promptTokens);
    if (tokens.completionTokens > 0) children.output.inc(tokens.completionTokens);
    if (tokens.reasoningTokens > 0) children.reasoning.inc(tokens.reasoningTokens);
    if (tokens.cachedPromptTokens > 0) children.cachedInput.inc(tokens.cachedPromptTokens);
    if (tokens.cacheWriteTokens > 0) children.cacheWrite.inc(tokens.cacheWriteTokens);
    if (costUsd > 0) children.cost.inc(costUsd);
  }

  /** An attempt on `model` failed with error code `reason`, and another candidate is tried next. */
  recordFallback(model: string, reason: string): void {
    this.fallbacks.of2(model, reason).inc();
  }
}

let instance: GenerationMetrics | undefined;

/** This process's generation metrics, registered on first use. */
export function generationMetrics(): GenerationMetrics {
  instance ??= new GenerationMetrics();
  return instance;
}
