import { describe, expect, it } from "vitest";
import { insufficientCreditsError } from "./insufficient-credits-error.js";

describe("insufficientCreditsError", () => {
  it("says what was needed, what is available and what to do", () => {
    const error = insufficientCreditsError(9_981, 1_500);
    expect(error.error).toEqual({
      code: "insufficient_credits",
      status: 402,
      retryable: false,
      message: "Insufficient credits: this request needs up to $0.009981 but the account has $0.0015 available. Add credits, or lower max_tokens.",
      metadata: { required_usd: "0.009981", available_usd: "0.0015" },
    });
  });

  it("shows an overdrawn account as having nothing available", () => {
    expect(insufficientCreditsError(10, -250).error.metadata).toEqual({ required_usd: "0.00001", available_usd: "0" });
  });
});
