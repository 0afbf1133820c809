import { endpointOutcomeClasses, gatewayError, gatewayErrorCodes } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { classifyAttemptOutcome } from "./classify-attempt-outcome.js";
import { classifyUpstreamError } from "./classify-upstream-error.js";

describe("classifyUpstreamError", () => {
  const classOf = (status: number, code: (typeof gatewayErrorCodes)[keyof typeof gatewayErrorCodes], message = "failed") => {
    const error = gatewayError(code, status, message);
    const outcome = classifyAttemptOutcome(error);
    return outcome === undefined ? undefined : classifyUpstreamError(outcome, error);
  };

  it("names each failure class of the connector", () => {
    expect(classOf(429, gatewayErrorCodes.upstreamRateLimited)).toBe("rate_limited");
    expect(classOf(502, gatewayErrorCodes.upstreamError)).toBe("server");
    expect(classOf(504, gatewayErrorCodes.upstreamTimeout)).toBe("timeout");
    expect(classOf(401, gatewayErrorCodes.upstreamError)).toBe("auth");
    expect(classOf(403, gatewayErrorCodes.upstreamError)).toBe("auth");
    expect(classOf(400, gatewayErrorCodes.upstreamError)).toBe("client");
    expect(classOf(502, gatewayErrorCodes.upstreamError, "Connection to provider Primary failed")).toBe("network");
  });

  it("counts a success as no error, and our own aborts not at all", () => {
    expect(classifyUpstreamError(endpointOutcomeClasses.ok, gatewayError(gatewayErrorCodes.upstreamError, 500, "x"))).toBeNull();
    expect(classOf(499, gatewayErrorCodes.cancelled)).toBeUndefined();
  });
});
