import { gatewayError, parseUsdToMicros, SwitchboardError, upperBoundPrices, type EndpointPrice } from "@switchboard/contracts";

const picosPerMicro = 1_000_000n;

/** What the refused request asked of a candidate: its price, its prompt's upper-bound tokens, its output bound. */
export interface UnaffordableRequest {
  price: EndpointPrice;
  maximumPromptTokens: number;
  requestedTokens: number;
}

/**
 * Billing's 402 (the account's credit, or the key's limit, does not cover the request's upper bound) in
 * OpenRouter's words: how many output tokens were asked for, and how many the amount still available
 * affords at the candidate's price once the prompt's upper bound is paid for (the same exact pico-dollar
 * arithmetic and prices as `computeMaximumCostMicros`, so a request with `max_tokens` at most that number is covered). The
 * refusal's metadata stays, with the two numbers added. Any other error, or a 402 without a readable
 * `available_usd`, is returned as it is.
 */
export function unaffordableRequestError(refusal: unknown, request: UnaffordableRequest): unknown {
  if (!(refusal instanceof SwitchboardError) || refusal.error.status !== 402) return refusal;
  const metadata = refusal.error.metadata ?? {};
  const availableUsd = metadata["available_usd"];
  if (typeof availableUsd !== "string") return refusal;
  let availableMicros: number;
  try {
    availableMicros = parseUsdToMicros(availableUsd);
  } catch {
    return refusal;
  }
  const affordableTokens = Math.min(affordableOutputTokens(availableMicros, request), request.requestedTokens);
  return new SwitchboardError(
    gatewayError(
      refusal.error.code,
      402,
      `This request requires more credits, or fewer max_tokens. You requested up to ${request.requestedTokens} tokens, but can only afford ${affordableTokens}. To increase, raise the key's limit or add credits.`,
      { metadata: { ...metadata, requested_tokens: request.requestedTokens, affordable_tokens: affordableTokens } },
    ),
    { cause: refusal },
  );
}

/**
 * The most output tokens `availableMicros` pays for after the prompt and the per-request price, at the
 * reservation's upper-bound prices (`upperBoundPrices`: the dearest prompt-side and output-side prices), so
 * that a retry with `max_tokens` at this number reserves no more than is available: at least 0, all
 * requested when output is free.
 */
function affordableOutputTokens(availableMicros: number, request: UnaffordableRequest): number {
  const prices = upperBoundPrices(request.price);
  const left = BigInt(availableMicros) * picosPerMicro - BigInt(request.maximumPromptTokens) * prices.promptToken - prices.request;
  if (left < 0n) return 0;
  if (prices.outputToken === 0n) return request.requestedTokens;
  return Number(left / prices.outputToken);
}
