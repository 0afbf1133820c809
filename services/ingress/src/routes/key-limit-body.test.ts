import { describe, expect, it } from "vitest";
import { keyLimitBodyFields, keyLimitOf } from "./key-limit-body.js";

const parse = (body: unknown) => keyLimitOf(keyLimitBodyFields.parse(body));

describe("keyLimitBodyFields and keyLimitOf", () => {
  it("converts the USD limit to micro-dollars exactly and keeps the reset", () => {
    expect(parse({ limit: 0.29, limit_reset: "daily" })).toEqual({ limitMicros: 290_000, limitReset: "daily" });
    expect(parse({ limit: 12 })).toEqual({ limitMicros: 12_000_000 });
    expect(parse({ limit: 0.000001, limit_reset: "monthly" })).toEqual({ limitMicros: 1, limitReset: "monthly" });
    expect(parse({ limit: 0 })).toEqual({ limitMicros: 0 });
  });

  it("takes null as no limit and no reset, and leaves out what was left out", () => {
    expect(parse({ limit: null, limit_reset: null })).toEqual({ limitMicros: null, limitReset: null });
    expect(parse({ name: "other fields are not this schema's" })).toEqual({});
    expect(parse({ limit_reset: "weekly" })).toEqual({ limitReset: "weekly" });
  });

  it.each([
    [{ limit: -1 }],
    [{ limit: 0.0000001 }],
    [{ limit: 1.0000005 }],
    [{ limit: "10" }],
    [{ limit: 1e21 }],
    [{ limit_reset: "yearly" }],
    [{ limit_reset: "DAILY" }],
  ])("refuses %j", (body) => {
    expect(keyLimitBodyFields.safeParse(body).success).toBe(false);
  });
});
