import { describe, expect, it } from "vitest";
import { gatewayError, type GatewayError } from "@switchboard/contracts";
import { classifyTransportError } from "../transport/classify-transport-error.js";
import { classifyAttemptOutcome } from "./classify-attempt-outcome.js";

const table: { name: string; error: GatewayError | null; outcome: string | undefined }[] = [
  { name: "success", error: null, outcome: "ok" },
  { name: "429", error: gatewayError("upstream_rate_limited", 429, "slow down", { retryable: true }), outcome: "rate_limited" },
  { name: "5xx", error: gatewayError("upstream_error", 502, "bad gateway", { retryable: true }), outcome: "server_error" },
  { name: "headers timeout", error: classifyTransportError(Object.assign(new Error("t"), { code: "UND_ERR_HEADERS_TIMEOUT" }), "Acme"), outcome: "timeout" },
  { name: "connection refused", error: classifyTransportError(Object.assign(new Error("c"), { code: "ECONNREFUSED" }), "Acme"), outcome: "connect_error" },
  { name: "the request's own 400", error: gatewayError("invalid_request", 400, "bad"), outcome: "client_error" },
  { name: "a cancel", error: gatewayError("cancelled", 499, "cancelled"), outcome: undefined },
  { name: "shutdown", error: gatewayError("service_unavailable", 503, "shutting down", { retryable: true }), outcome: undefined },
];

describe("classifyAttemptOutcome (issue 9)", () => {
  it.each(table)("$name", ({ error, outcome }) => {
    expect(classifyAttemptOutcome(error)).toBe(outcome);
  });
});
