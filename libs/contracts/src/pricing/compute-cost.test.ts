import { describe, expect, it } from "vitest";
import { computeCostMicros, computeMaximumCostMicros, type CostUsage } from "./compute-cost.js";
import type { EndpointPrice } from "./endpoint-price.js";
import { parseUsdPerTokenToPicos } from "./usd-amount.js";

const gpt4oMini = {
  promptPicosPerToken: parseUsdPerTokenToPicos("0.00000015").toString(),
  completionPicosPerToken: parseUsdPerTokenToPicos("0.0000006").toString(),
};

/** Claude Sonnet 4.5's list prices: cache reads at 10 %, 5-minute cache writes at 125 % of input. */
const sonnet = {
  promptPicosPerToken: parseUsdPerTokenToPicos("0.000003").toString(),
  completionPicosPerToken: parseUsdPerTokenToPicos("0.000015").toString(),
  cacheReadPicosPerToken: parseUsdPerTokenToPicos("0.0000003").toString(),
  cacheWritePicosPerToken: parseUsdPerTokenToPicos("0.00000375").toString(),
};

const safeMicros = Number.MAX_SAFE_INTEGER;

describe("computeCostMicros", () => {
  it.each([
    { prompt: 0, completion: 0, expected: 0 },
    { prompt: 1, completion: 0, expected: 1 }, // 0.15 µ$ rounds up to one micro-dollar
    { prompt: 1000, completion: 0, expected: 150 },
    { prompt: 1000, completion: 1000, expected: 750 },
    { prompt: 7, completion: 3, expected: 3 }, // 1.05 + 1.8 = 2.85 µ$ → 3
    { prompt: 1_000_000, completion: 1_000_000, expected: 750_000 },
  ])("charges $prompt prompt + $completion completion tokens $expected µ$", ({ prompt, completion, expected }) => {
    const usage = { promptTokens: prompt, completionTokens: completion, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    expect(computeCostMicros(usage, gpt4oMini)).toBe(expected);
  });

  it.each([
    // 1,000 uncached + 8,000 read + 1,000 written = 3,000 + 2,400 + 3,750 µ$; 500 output = 7,500 µ$.
    { name: "cache reads and writes at their own prices", usage: { cachedPromptTokens: 8000, cacheWriteTokens: 1000 }, price: sonnet, expected: 16_650 },
    { name: "cache reads and writes at the prompt price when the catalog gives none", usage: { cachedPromptTokens: 8000, cacheWriteTokens: 1000 }, price: { ...sonnet, cacheReadPicosPerToken: undefined, cacheWritePicosPerToken: undefined }, expected: 37_500 },
    { name: "reasoning tokens at the completion price by default", usage: { reasoningTokens: 400 }, price: sonnet, expected: 37_500 },
    // 100 output + 400 reasoning at 20 µ$: 1,500 + 8,000.
    { name: "reasoning tokens at their own price", usage: { reasoningTokens: 400 }, price: { ...sonnet, reasoningPicosPerToken: "20000000" }, expected: 30_000 + 9_500 },
    { name: "a per-request price", usage: {}, price: { ...sonnet, requestPicos: "5000000000" }, expected: 37_500 + 5_000 },
    { name: "a per-image price", usage: { inputImages: 3 }, price: { ...sonnet, imagePicos: "1000000000" }, expected: 37_500 + 3_000 },
    { name: "zero prices", usage: { cachedPromptTokens: 8000, reasoningTokens: 400 }, price: { promptPicosPerToken: "0", completionPicosPerToken: "0", cacheReadPicosPerToken: "0" }, expected: 0 },
    // Inconsistent reports: the totals win, reads first (10,000 read, 0 written; 500 reasoning).
    { name: "more cached than prompt tokens", usage: { cachedPromptTokens: 12_000, cacheWriteTokens: 5000, reasoningTokens: 900 }, price: sonnet, expected: 3_000 + 7_500 },
    { name: "reads and writes beyond the prompt", usage: { cachedPromptTokens: 9000, cacheWriteTokens: 5000 }, price: sonnet, expected: 2_700 + 3_750 + 7_500 },
  ])("charges $name", ({ usage, price, expected }) => {
    expect(computeCostMicros({ promptTokens: 10_000, completionTokens: 500, ...usage }, price as EndpointPrice)).toBe(expected);
  });

  it("rounds a single pico-dollar above a whole micro-dollar up", () => {
    expect(computeCostMicros({ promptTokens: 1, completionTokens: 0 }, { promptPicosPerToken: "1000001", completionPicosPerToken: "0" })).toBe(2);
    expect(computeCostMicros({ promptTokens: 1, completionTokens: 0 }, { promptPicosPerToken: "1000000", completionPicosPerToken: "0" })).toBe(1);
  });

  it("saturates at the largest safe integer rather than losing precision", () => {
    const dear = { promptPicosPerToken: "1000000000000000000", completionPicosPerToken: "0" };
    expect(computeCostMicros({ promptTokens: Number.MAX_SAFE_INTEGER, completionTokens: 0 }, dear)).toBe(safeMicros);
  });
});

describe("computeCostMicros against an exact reference", () => {
  it("agrees on 10,000 random usages and prices, huge, zero, absent and inconsistent ones included", () => {
    const random = seededRandom(20261130n);
    let differences = 0;
    const firstDifferences: unknown[] = [];
    const regimes = { exact: 0, free: 0, saturated: 0 };
    for (let index = 0; index < 10_000; index++) {
      // One in four near the limits: token counts up to the largest safe integer, prices up to 10^12 USD.
      const extreme = random(4n) === 0n;
      const usage = randomUsage(random, extreme);
      const price = randomPrice(random, extreme);
      const expected = referenceCostMicros(usage, price);
      const actual = computeCostMicros(usage, price);
      if (expected === safeMicros) regimes.saturated++;
      else if (expected === 0) regimes.free++;
      else regimes.exact++;
      if (actual !== expected) {
        differences++;
        if (firstDifferences.length < 5) firstDifferences.push({ usage, price, expected, actual });
      }
    }
    expect(firstDifferences).toEqual([]);
    expect(differences).toBe(0);
    // The draw covers every regime: exact costs (most), free ones and saturated ones.
    expect(regimes.exact).toBeGreaterThan(5000);
    expect(regimes.free).toBeGreaterThan(100);
    expect(regimes.saturated).toBeGreaterThan(100);
  });

  it("never charges more than the reservation bound, however the totals are split", () => {
    const random = seededRandom(7n);
    let unsaturatedBounds = 0;
    for (let index = 0; index < 10_000; index++) {
      const extreme = random(4n) === 0n;
      const price = randomPrice(random, extreme);
      const maximumPrompt = Number(randomTokens(random, extreme));
      const maximumCompletion = Number(randomTokens(random, extreme));
      const maximumImages = Number(random(5n));
      const bound = computeMaximumCostMicros(maximumPrompt, maximumCompletion, price, maximumImages);
      if (bound < safeMicros) unsaturatedBounds++;
      const promptTokens = Number(random(BigInt(maximumPrompt) + 1n));
      const completionTokens = Number(random(BigInt(maximumCompletion) + 1n));
      // Any split of the totals, and inconsistent breakdowns beyond them.
      const usage = {
        promptTokens,
        completionTokens,
        cachedPromptTokens: Number(random(BigInt(promptTokens) + 2n)),
        cacheWriteTokens: Number(random(BigInt(promptTokens) + 2n)),
        reasoningTokens: Number(random(BigInt(completionTokens) + 2n)),
        inputImages: Number(random(BigInt(maximumImages) + 1n)),
      };
      const cost = computeCostMicros(usage, price);
      if (cost > bound) expect({ usage, price, cost, bound }).toBe("a cost within its bound");
    }
    expect(unsaturatedBounds).toBeGreaterThan(5000);
  });
});

describe("computeMaximumCostMicros", () => {
  it("bounds the prompt and the largest allowed output", () => {
    expect(computeMaximumCostMicros(1000, 16384, gpt4oMini)).toBe(150 + 9831); // 9830.4 + 150 → 9981
  });

  it("prices every prompt token at the dearest prompt-side price and every output token at the dearer output price", () => {
    // 1,000 tokens at the 3.75 µ$ cache-write price, 100 at a 20 µ$ reasoning price, a 5,000 µ$ request, 2 images at 1,000 µ$.
    const price = { ...sonnet, reasoningPicosPerToken: "20000000", requestPicos: "5000000000", imagePicos: "1000000000" };
    expect(computeMaximumCostMicros(1000, 100, price, 2)).toBe(3750 + 2000 + 5000 + 2000);
    // The worst split reaches the bound: every prompt token written to the cache, every output token reasoning.
    expect(computeCostMicros({ promptTokens: 1000, completionTokens: 100, cacheWriteTokens: 1000, reasoningTokens: 100, inputImages: 2 }, price)).toBe(3750 + 2000 + 5000 + 2000);
  });
});

/**
 * The reference: written apart from computeCostMicros, from the rule as documented. Each part is a
 * (tokens, price) pair; the clipped breakdowns are computed as max(0, …) of what remains; the rounding is
 * floor-then-bump rather than add-then-divide.
 */
function referenceCostMicros(usage: CostUsage, price: EndpointPrice): number {
  const prompt = BigInt(usage.promptTokens);
  const completion = BigInt(usage.completionTokens);
  const read = BigInt(usage.cachedPromptTokens ?? 0) > prompt ? prompt : BigInt(usage.cachedPromptTokens ?? 0);
  const roomForWrites = prompt - read;
  const write = BigInt(usage.cacheWriteTokens ?? 0) > roomForWrites ? roomForWrites : BigInt(usage.cacheWriteTokens ?? 0);
  const reasoning = BigInt(usage.reasoningTokens ?? 0) > completion ? completion : BigInt(usage.reasoningTokens ?? 0);
  const promptPrice = BigInt(price.promptPicosPerToken);
  const completionPrice = BigInt(price.completionPicosPerToken);
  const parts: Array<[bigint, bigint]> = [
    [prompt - read - write, promptPrice],
    [read, price.cacheReadPicosPerToken !== undefined ? BigInt(price.cacheReadPicosPerToken) : promptPrice],
    [write, price.cacheWritePicosPerToken !== undefined ? BigInt(price.cacheWritePicosPerToken) : promptPrice],
    [completion - reasoning, completionPrice],
    [reasoning, price.reasoningPicosPerToken !== undefined ? BigInt(price.reasoningPicosPerToken) : completionPrice],
    [1n, price.requestPicos !== undefined ? BigInt(price.requestPicos) : 0n],
    [BigInt(usage.inputImages ?? 0), price.imagePicos !== undefined ? BigInt(price.imagePicos) : 0n],
  ];
  let picos = 0n;
  for (const [count, each] of parts) {
    if (count < 0n || each < 0n) throw new Error("a negative part");
    picos += count * each;
  }
  let micros = picos / 1_000_000n;
  if (micros * 1_000_000n !== picos) micros += 1n;
  return micros > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(micros);
}

/** A seeded 64-bit generator (SplitMix64): random(n) is uniform enough in [0, n). */
function seededRandom(seed: bigint): (below: bigint) => bigint {
  let state = seed;
  const mask = (1n << 64n) - 1n;
  const next = (): bigint => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return z ^ (z >> 31n);
  };
  return (below) => (below <= 1n ? 0n : ((next() << 64n) | next()) % below);
}

/** Token counts from 0 to the largest a usage may carry (a safe integer), weighted to every magnitude. */
function randomTokens(random: (below: bigint) => bigint, extreme: boolean): bigint {
  switch (random(extreme ? 8n : 6n)) {
    case 0n:
      return 0n;
    case 1n:
      return random(100n);
    case 2n:
    case 3n:
      return random(200_000n);
    case 4n:
    case 5n:
      return random(1n << 31n);
    case 6n:
      return BigInt(Number.MAX_SAFE_INTEGER) - random(1000n);
    default:
      return random(BigInt(Number.MAX_SAFE_INTEGER) + 1n);
  }
}

/** A breakdown of a total: mostly within it, sometimes beyond it (an inconsistent report). */
function randomBreakdown(random: (below: bigint) => bigint, total: bigint, extreme: boolean): number {
  switch (random(4n)) {
    case 0n:
      return 0;
    case 1n:
      return Number(randomTokens(random, extreme));
    default:
      return Number(random(total + 1n));
  }
}

/** A usage; an extreme one may have counts up to the largest safe integer, an ordinary one below 2^31. */
function randomUsage(random: (below: bigint) => bigint, extreme: boolean): CostUsage {
  const promptTokens = randomTokens(random, extreme);
  const completionTokens = randomTokens(random, extreme);
  return {
    promptTokens: Number(promptTokens),
    completionTokens: Number(completionTokens),
    cachedPromptTokens: randomBreakdown(random, promptTokens, extreme),
    cacheWriteTokens: randomBreakdown(random, promptTokens, extreme),
    reasoningTokens: randomBreakdown(random, completionTokens, extreme),
    ...(random(2n) === 0n ? {} : { inputImages: Number(random(3n) === 0n ? randomTokens(random, extreme) : random(20n)) }),
  };
}

/** A price in pico-dollars: zero, sub-micro-dollar, ordinary, dear, or (extreme) far beyond any real price. */
function randomPicos(random: (below: bigint) => bigint, extreme: boolean): string {
  switch (random(extreme ? 10n : 7n)) {
    case 0n:
      return "0";
    case 8n:
    case 6n:
      return (999_999n + random(3n)).toString(); // a pico either side of a micro-dollar
    case 1n:
      return random(1_000_000n).toString();
    case 2n:
    case 3n:
    case 4n:
      return random(100_000_000n).toString();
    case 5n:
      return random(10n ** 12n).toString();
    case 7n:
      return random(10n ** 15n).toString();
    default:
      return random(10n ** 24n).toString();
  }
}

function randomPrice(random: (below: bigint) => bigint, extreme: boolean): EndpointPrice {
  const optional = (name: keyof EndpointPrice) => (random(3n) === 0n ? {} : { [name]: randomPicos(random, extreme) });
  return {
    promptPicosPerToken: randomPicos(random, extreme),
    completionPicosPerToken: randomPicos(random, extreme),
    ...optional("cacheReadPicosPerToken"),
    ...optional("cacheWritePicosPerToken"),
    ...optional("reasoningPicosPerToken"),
    ...optional("requestPicos"),
    ...optional("imagePicos"),
  };
}
