import { parseUsdToMicros } from "./usd-amount.js";

const exponentPattern = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/;

/**
 * A USD amount that arrived as a JSON number (OpenRouter's key `limit`) → micro-dollars, exactly: the
 * number's shortest decimal form, which is what the client wrote, is parsed as a decimal string, never
 * multiplied as a float (0.29 × 1e6 is 289999.99999999994). At most 6 decimal places, non-negative and
 * finite; a RangeError says what is wrong otherwise.
 */
export function usdNumberToMicros(value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`USD amount ${value} is not a non-negative finite number`);
  return parseUsdToMicros(withoutExponent(String(value)));
}

/** JavaScript writes very small and very large numbers with an exponent ("1e-7", "1.5e+21"); spells them out. */
function withoutExponent(text: string): string {
  const match = exponentPattern.exec(text);
  if (!match) return text;
  const whole = match[1] ?? "";
  const digits = whole + (match[2] ?? "");
  const point = whole.length + Number(match[3]);
  if (point <= 0) return `0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + "0".repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
