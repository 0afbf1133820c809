import { describe, expect, it } from "vitest";
import { effectiveBodyLimit } from "./effective-body-limit.js";

describe("effectiveBodyLimit", () => {
  it("keeps the configured limit when NATS can carry it", () => {
    expect(effectiveBodyLimit(1_000_000, 8 * 1024 * 1024)).toBe(1_000_000);
    expect(effectiveBodyLimit(1_000_000, undefined)).toBe(1_000_000);
  });

  it("lowers it below the NATS max_payload with room for the envelope", () => {
    expect(effectiveBodyLimit(10 * 1024 * 1024, 1024 * 1024)).toBe(1024 * 1024 - 64 * 1024);
  });
});
