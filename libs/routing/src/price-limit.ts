/**
 * A `provider.max_price.prompt`/`completion` limit (USD per million tokens, as OpenRouter defines it) in
 * the catalog's unit, pico-dollars per token: X USD per million tokens = X × 10^6 picos per token. The
 * fraction below one pico is dropped, which is exact for the comparison because catalog prices are whole
 * picos. No float arithmetic: a JSON number is read through its shortest decimal form.
 */
export function priceLimitInPicosPerToken(usdPerMillionTokens: number | string): bigint {
  const [whole, fraction] = plainDecimal(usdPerMillionTokens).split(".") as [string, string | undefined];
  const micros = (fraction ?? "").padEnd(6, "0").slice(0, 6);
  return BigInt(whole || "0") * 1_000_000n + BigInt(micros);
}

/** "1.5e-7" → "0.00000015"; a string or a number without an exponent is returned as it is. */
function plainDecimal(value: number | string): string {
  const text = String(value);
  const exponentAt = text.search(/e/i);
  if (exponentAt === -1) return text;
  const exponent = Number(text.slice(exponentAt + 1));
  const [whole = "", fraction = ""] = text.slice(0, exponentAt).split(".");
  const digits = whole + fraction;
  const point = whole.length + exponent;
  if (point <= 0) return `0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + "0".repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
