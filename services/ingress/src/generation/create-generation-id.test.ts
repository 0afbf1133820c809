import { describe, expect, it } from "vitest";
import { createGenerationId } from "./create-generation-id.js";

describe("createGenerationId", () => {
  it("makes gen- prefixed UUIDv7 ids that sort by time", () => {
    const earlier = createGenerationId(1_700_000_000_000);
    const later = createGenerationId(1_700_000_000_001);
    expect(earlier).toMatch(/^gen-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(earlier < later).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => createGenerationId())).size).toBe(1000);
  });
});
