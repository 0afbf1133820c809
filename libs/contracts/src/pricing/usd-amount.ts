/**
 * Exact conversions between decimal USD strings and integer units. Money never passes through a float:
 * balances are micro-dollars (1e-6 USD); per-token prices are pico-dollars (1e-12 USD), because public
 * per-token prices such as "0.00000015" are fractions of a micro-dollar.
 */
import { quoteUserText } from "../text/quote-user-text.js";

const decimalPattern = /^(\d+)(?:\.(\d+))?$/;

function parseDecimal(value: string, decimals: number, what: string): bigint {
  const match = decimalPattern.exec(value.trim());
  if (!match) throw new RangeError(`${what} ${quoteUserText(value, 40)} is not a non-negative decimal number`);
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    throw new RangeError(`${what} ${quoteUserText(value, 40)} has more than ${decimals} decimal places`);
  }
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
}

/** "10.50" → 10_500_000 micro-dollars. At most 6 decimal places. */
export function parseUsdToMicros(value: string): number {
  const micros = parseDecimal(value, 6, "USD amount");
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`USD amount ${quoteUserText(value, 40)} is too large`);
  return Number(micros);
}

/** "-2.25" → -2_250_000, "1.5" → 1_500_000: an amount that may be negative, such as an adjustment. At most 6 decimal places. */
export function parseSignedUsdToMicros(value: string): number {
  const trimmed = value.trim();
  if (!trimmed.startsWith("-")) return parseUsdToMicros(trimmed);
  return -parseUsdToMicros(trimmed.slice(1));
}

/** A per-token USD price string such as "0.00000015" → 150_000 pico-dollars. At most 12 decimal places. */
export function parseUsdPerTokenToPicos(value: string): bigint {
  return parseDecimal(value, 12, "per-token price");
}

/** 150_000n pico-dollars → "0.00000015" (the USD-per-token string OpenRouter publishes). */
export function formatPicosAsUsd(picos: bigint): string {
  return formatScaled(picos, 12);
}

/** 10_500_000 micro-dollars → "10.5". */
export function formatMicrosAsUsd(micros: number): string {
  return formatScaled(BigInt(micros), 6);
}

/** Micro-dollars as the JSON number clients read in `usage.cost` (display only; never summed by us). */
export function microsToUsdNumber(micros: number): number {
  return Number(formatMicrosAsUsd(micros));
}

function formatScaled(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const absolute = negative ? -value : value;
  const scale = 10n ** BigInt(decimals);
  const whole = absolute / scale;
  const fraction = (absolute % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}
