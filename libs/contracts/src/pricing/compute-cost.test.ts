import { describe, expect, it } from "vitest";
import { computeCostMicros, computeMaximumCostMicros } from "./compute-cost.js";
import { parseUsdPerTokenToPicos } from "./usd-amount.js";

const gpt4oMini = {
  promptPicosPerToken: parseUsdPerTokenToPicos("0.00000015").toString(),
  completionPicosPerToken: parseUsdPerTokenToPicos("0.0000006").toString(),
};

describe("computeCostMicros", () => {
  it.each([
    { prompt: 0, completion: 0, expected: 0 },
    { prompt: 1, completion: 0, expected: 1 }, // 0.15 µ$ rounds up to one micro-dollar
    { prompt: 1000, completion: 0, expected: 150 },
    { prompt: 1000, completion: 1000, expected: 750 },
    { prompt: 7, completion: 3, expected: 3 }, // 1.05 + 1.8 = 2.85 µ$ → 3
    { prompt: 1_000_000, completion: 1_000_000, expected: 750_000 },
  ])("charges $prompt prompt + $completion completion tokens $expected µ$", ({ prompt, completion, expected }) => {
    const usage = { promptTokens: prompt, completionTokens: completion, cachedPromptTokens: 0, reasoningTokens: 0 };
    expect(computeCostMicros(usage, gpt4oMini)).toBe(expected);
  });

  it("agrees with exact rational arithmetic on random usages", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 1000; i++) {
      const promptTokens = Math.floor(random() * 200_000);
      const completionTokens = Math.floor(random() * 50_000);
      const picos = BigInt(promptTokens) * 150_000n + BigInt(completionTokens) * 600_000n;
      const expected = Number(picos / 1_000_000n + (picos % 1_000_000n === 0n ? 0n : 1n));
      expect(computeCostMicros({ promptTokens, completionTokens, cachedPromptTokens: 0, reasoningTokens: 0 }, gpt4oMini)).toBe(expected);
    }
  });
});

describe("computeMaximumCostMicros", () => {
  it("bounds the prompt and the largest allowed output", () => {
    expect(computeMaximumCostMicros(1000, 16384, gpt4oMini)).toBe(150 + 9831); // 9830.4 + 150 → 9981
  });
});
