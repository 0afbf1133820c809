/**
 * A `provider.max_price.prompt`/`completion` limit (USD per million tokens, as OpenRouter defines it) in
 * the catalog's unit, pico-dollars per token: X USD per million tokens = X × 10^6 picos per token. The
 * fraction below one pico is dropped, which is exact for the comparison because catalog prices are whole
 * picos. No float arithmetic: a JSON number is read through its shortest decimal form.
 */
export function priceLimitInPicosPerToken(usdPerMillionTokens: number | string): bigint {
  return scaledDown(usdPerMillionTokens, 6);
}

/**
 * A `provider.max_price.request`/`image` limit (USD per request, per image, as OpenRouter defines them)
 * in pico-dollars, the fraction below one pico dropped (catalog prices are whole picos).
 */
export function priceLimitInPicos(usd: number | string): bigint {
  return scaledDown(usd, 12);
}

/** value × 10^decimals, rounded down, without float arithmetic. */
function scaledDown(value: number | string, decimals: number): bigint {
  const [whole, fraction] = plainDecimal(value).split(".") as [string, string | undefined];
  const digits = (fraction ?? "").padEnd(decimals, "0").slice(0, decimals);
  return BigInt(whole || "0") * 10n ** BigInt(decimals) + BigInt(digits);
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
