import { formatMicrosAsUsd, gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";

/**
 * The 402 a reservation fails with, worded like OpenRouter's: what was needed, what is available, and
 * what to do. A negative available amount (a past generation cost more than it reserved) shows as 0.
 */
export function insufficientCreditsError(requiredMicros: number, availableMicros: number): SwitchboardError {
  const requiredUsd = formatMicrosAsUsd(requiredMicros);
  const availableUsd = formatMicrosAsUsd(Math.max(availableMicros, 0));
  return new SwitchboardError(
    gatewayError(
      gatewayErrorCodes.insufficientCredits,
      402,
      `Insufficient credits: this request needs up to $${requiredUsd} but the account has $${availableUsd} available. Add credits, or lower max_tokens.`,
      { metadata: { required_usd: requiredUsd, available_usd: availableUsd } },
    ),
  );
}
