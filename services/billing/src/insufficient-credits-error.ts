import { formatMicrosAsUsd, gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";

/**
 * The 402 a reservation fails with, worded like OpenRouter's: what was needed, what is available, and
 * what to do. A negative available amount (a past generation cost more than it reserved) shows as 0.
 * `leasedMicros` (credit ingress replicas still hold in leases) tells billing whether recalling the
 * leases could cover the request; it is not shown to the client.
 */
export class InsufficientCreditsError extends SwitchboardError {
  constructor(
    error: SwitchboardError["error"],
    readonly leasedMicros: number,
  ) {
    super(error);
  }
}

export function insufficientCreditsError(requiredMicros: number, availableMicros: number, leasedMicros = 0): InsufficientCreditsError {
  const requiredUsd = formatMicrosAsUsd(requiredMicros);
  const availableUsd = formatMicrosAsUsd(Math.max(availableMicros, 0));
  return new InsufficientCreditsError(
    gatewayError(
      gatewayErrorCodes.insufficientCredits,
      402,
      `Insufficient credits: this request needs up to $${requiredUsd} but the account has $${availableUsd} available. Add credits, or lower max_tokens.`,
      { metadata: { required_usd: requiredUsd, available_usd: availableUsd } },
    ),
    leasedMicros,
  );
}

/**
 * The 402 of a key whose spending limit does not cover the request, worded like the account's. The
 * available amount is what the key's limit and the account's credit both still allow; leases are never
 * recalled for it (a key's limit does not grow when they come back).
 */
export function keyLimitExceededError(requiredMicros: number, limitRemainingMicros: number, accountAvailableMicros: number): InsufficientCreditsError {
  const requiredUsd = formatMicrosAsUsd(requiredMicros);
  const remainingUsd = formatMicrosAsUsd(Math.max(limitRemainingMicros, 0));
  const availableUsd = formatMicrosAsUsd(Math.max(Math.min(limitRemainingMicros, accountAvailableMicros), 0));
  return new InsufficientCreditsError(
    gatewayError(
      gatewayErrorCodes.insufficientCredits,
      402,
      `Key limit exceeded: this request needs up to $${requiredUsd} but the key's limit leaves $${remainingUsd}. To increase, raise the key's limit or add credits.`,
      { metadata: { required_usd: requiredUsd, available_usd: availableUsd, limit_remaining_usd: remainingUsd } },
    ),
    0,
  );
}
