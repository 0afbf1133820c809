import { loadConfig } from "@switchboard/config";
import { describe, expect, it } from "vitest";
import { ingressConfigSchema } from "./config.js";

describe("ingress configuration", () => {
  it("has no default rate limit unless RATE_LIMIT_REQUESTS is set (issue 10)", () => {
    expect(loadConfig(ingressConfigSchema, {})).toMatchObject({ RATE_LIMIT_INTERVAL_SECONDS: 60 });
    expect(loadConfig(ingressConfigSchema, {}).RATE_LIMIT_REQUESTS).toBeUndefined();
    expect(loadConfig(ingressConfigSchema, { RATE_LIMIT_REQUESTS: "100", RATE_LIMIT_INTERVAL_SECONDS: "10" })).toMatchObject({ RATE_LIMIT_REQUESTS: 100, RATE_LIMIT_INTERVAL_SECONDS: 10 });
  });

  it("refuses a rate limit of no requests or an interval over a day", () => {
    expect(() => loadConfig(ingressConfigSchema, { RATE_LIMIT_REQUESTS: "0" })).toThrow(/RATE_LIMIT_REQUESTS/);
    expect(() => loadConfig(ingressConfigSchema, { RATE_LIMIT_REQUESTS: "5", RATE_LIMIT_INTERVAL_SECONDS: "86401" })).toThrow(/RATE_LIMIT_INTERVAL_SECONDS/);
  });
});
