import { computeMaximumCostMicros, gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { unaffordableRequestError } from "./unaffordable-request-error.js";

const price = { promptPicosPerToken: "150000", completionPicosPerToken: "600000" };

const refusal = (availableUsd: string) =>
  new SwitchboardError(
    gatewayError(gatewayErrorCodes.insufficientCredits, 402, "Key limit exceeded", { metadata: { required_usd: "0.01", available_usd: availableUsd } }),
  );

describe("unaffordableRequestError", () => {
  it("words the 402 like OpenRouter, with the output tokens the available amount affords after the prompt, keeping the metadata", () => {
    // $0.0005 = 500 µ$ = 5e8 p$; prompt 1000 × 150000 = 1.5e8; (5e8 − 1.5e8) / 600000 = 583.33 → 583.
    const error = unaffordableRequestError(refusal("0.0005"), { price, maximumPromptTokens: 1_000, requestedTokens: 4_096 });
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).error).toEqual({
      code: "insufficient_credits",
      status: 402,
      retryable: false,
      message:
        "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 583. To increase, raise the key's limit or add credits.",
      metadata: { required_usd: "0.01", available_usd: "0.0005", requested_tokens: 4_096, affordable_tokens: 583 },
    });
  });

  it("affords exactly what the reservation's upper bound would cover, and one token more would not be", () => {
    for (const availableMicros of [1, 151, 500, 12_345, 999_999]) {
      const availableUsd = (availableMicros / 1_000_000).toFixed(6);
      const error = unaffordableRequestError(refusal(availableUsd), { price, maximumPromptTokens: 1_000, requestedTokens: 10_000_000 }) as SwitchboardError;
      const affordable = error.error.metadata?.["affordable_tokens"] as number;
      if (affordable > 0) expect(computeMaximumCostMicros(1_000, affordable, price)).toBeLessThanOrEqual(availableMicros);
      expect(computeMaximumCostMicros(1_000, affordable + 1, price)).toBeGreaterThan(availableMicros);
    }
  });

  it("with split prices (dearer cache writes and reasoning, a per-request price), affords what the reservation's upper bound covers", () => {
    const split = {
      promptPicosPerToken: "150000",
      completionPicosPerToken: "600000",
      cacheReadPicosPerToken: "15000",
      cacheWritePicosPerToken: "187500",
      reasoningPicosPerToken: "900000",
      requestPicos: "40000000",
    };
    // 500 µ$ = 5e8 p$; prompt 1000 × 187500 (the cache-write price) = 1.875e8; request 4e7;
    // (5e8 − 1.875e8 − 4e7) / 900000 (the reasoning price) = 302.77 → 302. Plain prices would say 583.
    const error = unaffordableRequestError(refusal("0.0005"), { price: split, maximumPromptTokens: 1_000, requestedTokens: 4_096 }) as SwitchboardError;
    expect(error.error.metadata).toMatchObject({ affordable_tokens: 302 });
    for (const availableMicros of [41, 228, 500, 12_345, 999_999]) {
      const availableUsd = (availableMicros / 1_000_000).toFixed(6);
      const answer = unaffordableRequestError(refusal(availableUsd), { price: split, maximumPromptTokens: 1_000, requestedTokens: 10_000_000 }) as SwitchboardError;
      const affordable = answer.error.metadata?.["affordable_tokens"] as number;
      // Retrying with max_tokens = affordable reserves no more than is available; one more would not fit.
      if (affordable > 0) expect(computeMaximumCostMicros(1_000, affordable, split)).toBeLessThanOrEqual(availableMicros);
      expect(computeMaximumCostMicros(1_000, affordable + 1, split)).toBeGreaterThan(availableMicros);
    }
  });

  it("affords 0 when the prompt alone is not covered, and never more than requested", () => {
    const short = unaffordableRequestError(refusal("0.0001"), { price, maximumPromptTokens: 1_000, requestedTokens: 50 }) as SwitchboardError;
    expect(short.error.metadata).toMatchObject({ affordable_tokens: 0, requested_tokens: 50 });
    const free = { promptPicosPerToken: "0", completionPicosPerToken: "0" };
    const costless = unaffordableRequestError(refusal("0"), { price: free, maximumPromptTokens: 1_000, requestedTokens: 50 }) as SwitchboardError;
    expect(costless.error.metadata).toMatchObject({ affordable_tokens: 50 });
  });

  it("leaves other errors, and a 402 without a readable available amount, as they are", () => {
    const unavailable = new SwitchboardError(gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "billing is down"));
    const request = { price, maximumPromptTokens: 1, requestedTokens: 1 };
    expect(unaffordableRequestError(unavailable, request)).toBe(unavailable);
    const bare = new SwitchboardError(gatewayError(gatewayErrorCodes.insufficientCredits, 402, "Insufficient credits"));
    expect(unaffordableRequestError(bare, request)).toBe(bare);
    const unreadable = refusal("lots");
    expect(unaffordableRequestError(unreadable, request)).toBe(unreadable);
    const plain = new Error("boom");
    expect(unaffordableRequestError(plain, request)).toBe(plain);
  });
});
