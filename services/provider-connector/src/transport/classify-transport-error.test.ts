import { gatewayErrorCodes } from "@switchboard/contracts";
import { errors } from "undici";
import { describe, expect, it } from "vitest";
import { classifyTransportError } from "./classify-transport-error.js";

describe("classifyTransportError", () => {
  it.each([
    ["connect timeout", new errors.ConnectTimeoutError(), gatewayErrorCodes.upstreamTimeout, true],
    ["headers timeout", new errors.HeadersTimeoutError(), gatewayErrorCodes.upstreamTimeout, true],
    ["body timeout", new errors.BodyTimeoutError(), gatewayErrorCodes.upstreamTimeout, true],
    ["socket closed", new errors.SocketError("other side closed"), gatewayErrorCodes.upstreamError, true],
    ["connection refused", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), gatewayErrorCodes.upstreamError, true],
    ["our abort", new errors.RequestAbortedError(), gatewayErrorCodes.cancelled, false],
    ["an abort signal reason", new DOMException("This operation was aborted", "AbortError"), gatewayErrorCodes.cancelled, false],
    ["a bug", new TypeError("x is undefined"), gatewayErrorCodes.internal, true],
  ])("classifies %s", (_label, thrown, code, retryable) => {
    expect(classifyTransportError(thrown, "Acme")).toMatchObject({ code, retryable });
  });

  it("names the provider and the failure for the operator", () => {
    expect(classifyTransportError(Object.assign(new Error("x"), { code: "ENOTFOUND" }), "Acme").message).toBe("Connection to provider Acme failed (ENOTFOUND)");
  });
});
