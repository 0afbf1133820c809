import { describe, expect, it } from "vitest";
import { waitForReady } from "./wait-for-ready.js";

describe("waitForReady", () => {
  it("returns once the check passes", async () => {
    let calls = 0;
    await waitForReady(async () => ++calls >= 3, { timeoutMs: 1_000, intervalMs: 1, describeTimeout: () => "late" });
    expect(calls).toBe(3);
  });

  it("gives up with the caller's explanation", async () => {
    await expect(waitForReady(async () => false, { timeoutMs: 20, intervalMs: 5, describeTimeout: () => "ingress never became ready" })).rejects.toThrow(
      "ingress never became ready",
    );
  });
});
