import type { TokenUsage } from "../chat/stream-part.js";
import type { EndpointPrice } from "./endpoint-price.js";

const picosPerMicro = 1_000_000n;
const largestMicros = BigInt(Number.MAX_SAFE_INTEGER);

/** What a cost is computed from: the token counts, the optional breakdowns defaulting to none. */
export type CostUsage = Pick<TokenUsage, "promptTokens" | "completionTokens"> &
  Partial<Pick<TokenUsage, "cachedPromptTokens" | "cacheWriteTokens" | "reasoningTokens" | "inputImages">>;

/** The prices each part of a usage is charged at, in pico-dollars, with the catalog's fallbacks applied. */
export interface EffectivePrices {
  prompt: bigint;
  completion: bigint;
  cacheRead: bigint;
  cacheWrite: bigint;
  reasoning: bigint;
  request: bigint;
  image: bigint;
}

/**
 * An endpoint's price with every part filled in: a cache read or write the catalog gives no price for
 * costs the prompt price, a reasoning token the completion price, a request or an image nothing.
 */
export function effectivePrices(price: EndpointPrice): EffectivePrices {
  const prompt = BigInt(price.promptPicosPerToken);
  const completion = BigInt(price.completionPicosPerToken);
  return {
    prompt,
    completion,
    cacheRead: price.cacheReadPicosPerToken === undefined ? prompt : BigInt(price.cacheReadPicosPerToken),
    cacheWrite: price.cacheWritePicosPerToken === undefined ? prompt : BigInt(price.cacheWritePicosPerToken),
    reasoning: price.reasoningPicosPerToken === undefined ? completion : BigInt(price.reasoningPicosPerToken),
    request: BigInt(price.requestPicos ?? "0"),
    image: BigInt(price.imagePicos ?? "0"),
  };
}

/**
 * The cost of one generation in micro-dollars. Usage has OpenAI's meaning: the prompt total includes the
 * cached-read and cache-write tokens, the completion total the reasoning tokens, so each total is split
 * into parts charged at their own price: (prompt − read − write) × prompt + read × cache read + write ×
 * cache write + (completion − reasoning) × completion + reasoning × reasoning + request + images × image.
 * Summed exactly in pico-dollars and rounded up once to a whole micro-dollar (the ledger's unit).
 *
 * A provider can report breakdowns that do not fit their totals (more cached than prompt tokens). The
 * totals are what it counted, so they win and the breakdowns are clipped to them, cache reads first:
 * read = min(cached, prompt), write = min(cacheWrite, prompt − read), reasoning = min(reasoning,
 * completion). No part is ever negative and no token is charged twice.
 *
 * A cost above Number.MAX_SAFE_INTEGER micro-dollars (9 billion USD) is returned as that maximum rather
 * than as an imprecise number: no balance covers it, so no reservation for it is ever granted.
 */
export function computeCostMicros(usage: CostUsage, price: EndpointPrice): number {
  const prices = effectivePrices(price);
  const promptTokens = BigInt(usage.promptTokens);
  const completionTokens = BigInt(usage.completionTokens);
  const cacheRead = minimum(BigInt(usage.cachedPromptTokens ?? 0), promptTokens);
  const cacheWrite = minimum(BigInt(usage.cacheWriteTokens ?? 0), promptTokens - cacheRead);
  const reasoning = minimum(BigInt(usage.reasoningTokens ?? 0), completionTokens);
  const picos =
    (promptTokens - cacheRead - cacheWrite) * prices.prompt +
    cacheRead * prices.cacheRead +
    cacheWrite * prices.cacheWrite +
    (completionTokens - reasoning) * prices.completion +
    reasoning * prices.reasoning +
    prices.request +
    BigInt(usage.inputImages ?? 0) * prices.image;
  return picosToMicrosRoundedUp(picos);
}

/**
 * The most a generation can cost: an upper bound on prompt tokens, the largest output allowed and the
 * input images, however the provider splits them. Every prompt token is priced at the dearest of prompt,
 * cache-read and cache-write, every output token at the dearer of completion and reasoning, so no split of
 * those totals (computeCostMicros) costs more. Reservations use it so that concurrent requests can never
 * spend more than the balance.
 */
export function computeMaximumCostMicros(
  maximumPromptTokens: number,
  maximumCompletionTokens: number,
  price: EndpointPrice,
  maximumInputImages = 0,
): number {
  const prices = upperBoundPrices(price);
  const picos =
    BigInt(maximumPromptTokens) * prices.promptToken +
    BigInt(maximumCompletionTokens) * prices.outputToken +
    prices.request +
    BigInt(maximumInputImages) * prices.image;
  return picosToMicrosRoundedUp(picos);
}

/** The pico-dollar prices `computeMaximumCostMicros` bounds a generation with. */
export interface UpperBoundPrices {
  /** The dearest of prompt, cache-read and cache-write. */
  promptToken: bigint;
  /** The dearer of completion and reasoning. */
  outputToken: bigint;
  request: bigint;
  image: bigint;
}

/**
 * The prices of the upper bound, shared with whoever inverts it (how many output tokens an amount
 * affords), so that both agree to the pico-dollar.
 */
export function upperBoundPrices(price: EndpointPrice): UpperBoundPrices {
  const prices = effectivePrices(price);
  return {
    promptToken: maximum(prices.prompt, prices.cacheRead, prices.cacheWrite),
    outputToken: maximum(prices.completion, prices.reasoning),
    request: prices.request,
    image: prices.image,
  };
}

function picosToMicrosRoundedUp(picos: bigint): number {
  const micros = (picos + picosPerMicro - 1n) / picosPerMicro;
  return Number(micros > largestMicros ? largestMicros : micros);
}

function minimum(left: bigint, right: bigint): bigint {
  return left < right ? left : right;
}

function maximum(...values: bigint[]): bigint {
  return values.reduce((largest, value) => (value > largest ? value : largest));
}
