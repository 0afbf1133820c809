import { endpointOutcomeClasses, gatewayError, gatewayErrorCodes } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { classifyAttemptOutcome } from "./classify-attempt-outcome.js";
import { classifyUpstreamError } from "./classify-upstream-error.js";
import { mapUpstreamErrorStatus } from "../providers/map-upstream-error-status.js";

describe("classifyUpstreamError", () => {
  const classOf = (status: number, code: (typeof gatewayErrorCodes)[keyof typeof gatewayErrorCodes], message = "failed") => {
    const error = gatewayError(code, status, message, { retryable: true });
    const outcome = classifyAttemptOutcome(error);
    return outcome === undefined ? undefined : classifyUpstreamError(outcome, error);
  };

  it("names each failure class of the connector", () => {
    expect(classOf(429, gatewayErrorCodes.upstreamRateLimited)).toBe("rate_limited");
    expect(classOf(502, gatewayErrorCodes.upstreamError)).toBe("server");
    expect(classOf(504, gatewayErrorCodes.upstreamTimeout)).toBe("timeout");
    expect(classOf(400, gatewayErrorCodes.upstreamError)).toBe("client");
    expect(classOf(502, gatewayErrorCodes.upstreamError, "Connection to provider Primary failed")).toBe("network");
  });

  it("names the errors the connector's own status table makes from a provider's answer", () => {
    const classOfStatus = (status: number) => {
      const error = mapUpstreamErrorStatus({ status, providerLabel: "OpenAI", providerMessage: "provider says no" });
      const outcome = classifyAttemptOutcome(error);
      return outcome === undefined ? undefined : classifyUpstreamError(outcome, error);
    };
    // A refused provider key becomes a 502 for the client, but is counted as what it is.
    expect(classOfStatus(401)).toBe("auth");
    expect(classOfStatus(403)).toBe("auth");
    expect(classOfStatus(429)).toBe("rate_limited");
    expect(classOfStatus(400)).toBe("client");
    expect(classOfStatus(404)).toBe("client");
    expect(classOfStatus(500)).toBe("server");
    expect(classOfStatus(503)).toBe("server");
    expect(classOfStatus(504)).toBe("timeout");
  });

  it("counts a success as no error, and our own aborts not at all", () => {
    expect(classifyUpstreamError(endpointOutcomeClasses.ok, gatewayError(gatewayErrorCodes.upstreamError, 500, "x"))).toBeNull();
    expect(classOf(499, gatewayErrorCodes.cancelled)).toBeUndefined();
  });
});
