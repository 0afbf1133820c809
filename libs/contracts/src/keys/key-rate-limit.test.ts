import { describe, expect, it } from "vitest";
import { formatRateLimitInterval, parseRateLimitInterval, rateLimitBodySchema } from "./key-rate-limit.js";
import { presentRateLimit, rateLimitSources } from "./present-rate-limit.js";

describe("rate limits on keys", () => {
  it("parse from a request body into requests and seconds; null stays null", () => {
    expect(rateLimitBodySchema.parse({ requests: 100, interval: "2s" })).toEqual({ requests: 100, intervalSeconds: 2 });
    expect(rateLimitBodySchema.parse(null)).toBeNull();
    for (const body of [{ requests: 0, interval: "1m" }, { requests: 1, interval: "1w" }, { requests: 1, interval: "1m", burst: 2 }, { interval: "1m" }]) {
      expect(rateLimitBodySchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });

  it("read and write OpenRouter's intervals", () => {
    expect(["10s", "1m", "90s", "2h", "1d"].map((text) => parseRateLimitInterval(text))).toEqual([10, 60, 90, 7_200, 86_400]);
    for (const text of ["0s", "1w", "2d", "86401s", "1.5m", " 1m", "1M", "", "01s"]) expect(parseRateLimitInterval(text), text).toBeUndefined();
    expect([10, 60, 90, 7_200, 86_400, 3_660].map((seconds) => formatRateLimitInterval(seconds))).toEqual(["10s", "1m", "90s", "2h", "1d", "61m"]);
  });

  it("are shown as OpenRouter's -1 requests when none applies", () => {
    expect(presentRateLimit(null)).toMatchObject({ requests: -1, interval: "10s" });
    expect(presentRateLimit({ requests: 5, intervalSeconds: 60 }, rateLimitSources.ingressDefault)).toMatchObject({ requests: 5, interval: "1m", note: expect.stringMatching(/ingress default/) as unknown as string });
  });
});
