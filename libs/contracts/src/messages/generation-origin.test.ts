import { describe, expect, it } from "vitest";
import { generationOriginSchema } from "./generation-origin.js";

const origin = {
  ingressId: "ingress-a",
  accountId: "00000000-0000-4000-8000-000000000001",
  keyId: "00000000-0000-4000-8000-000000000002",
  attempt: 0,
  factSequence: 7,
  lease: { leaseId: "00000000-0000-4000-8000-000000000003", holdMicros: 5_000 },
};

describe("generationOriginSchema", () => {
  it("drops, rather than refuses, fields a newer ingress adds, so services can be upgraded one at a time", () => {
    const parsed = generationOriginSchema.parse({ ...origin, addedLater: true, lease: { ...origin.lease, addedLater: 1 } });
    expect(parsed).toEqual(origin);
  });

  it("still refuses a malformed field it knows", () => {
    expect(generationOriginSchema.safeParse({ ...origin, factSequence: -1 }).success).toBe(false);
    expect(generationOriginSchema.safeParse({ ...origin, accountId: "not-an-id" }).success).toBe(false);
  });
});
