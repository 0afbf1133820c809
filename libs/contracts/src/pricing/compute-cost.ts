import type { TokenUsage } from "../chat/stream-part.js";
import type { EndpointPrice } from "./endpoint-price.js";


const picosPerMicro = 1_000_000n;

/**
 * The cost of one generation in micro-dollars: tokens × per-token price, summed exactly in pico-dollars
 * and rounded up once to a whole micro-dollar (the ledger's unit). Cached and reasoning tokens are billed
 * at the prompt and completion price: no catalog entry carries a discounted cache price yet.
 */
export function computeCostMicros(usage: TokenUsage, price: EndpointPrice): number {
  const picos =
    BigInt(usage.promptTokens) * BigInt(price.promptPicosPerToken) +
    BigInt(usage.completionTokens) * BigInt(price.completionPicosPerToken);
  return Number((picos + picosPerMicro - 1n) / picosPerMicro);
}

/**
 * The most a generation can cost: an upper bound on prompt tokens plus the largest output allowed.
 * Reservations use it so that concurrent requests can never spend more than the balance.
 */
export function computeMaximumCostMicros(
  maximumPromptTokens: number,
  maximumCompletionTokens: number,
  price: EndpointPrice,
): number {
  return computeCostMicros(
    { promptTokens: maximumPromptTokens, completionTokens: maximumCompletionTokens, cachedPromptTokens: 0, reasoningTokens: 0 },
    price,
  );
}
