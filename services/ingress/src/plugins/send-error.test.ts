import { gatewayError, gatewayErrorCodes } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { toHttpErrorBody } from "./send-error.js";

describe("toHttpErrorBody", () => {
  it("keeps a provider's message and name on a 5xx provider failure, in OpenRouter's shape", () => {
    const error = gatewayError(gatewayErrorCodes.upstreamError, 502, "The provider (Anthropic API) returned HTTP 529", {
      retryable: true,
      metadata: { raw: "Overloaded", provider_code: "overloaded_error", provider_name: "Claude Co" },
    });
    expect(toHttpErrorBody(error)).toEqual({
      error: {
        code: 502,
        message: "The provider (Anthropic API) returned HTTP 529",
        metadata: { raw: "Overloaded", provider_code: "overloaded_error", provider_name: "Claude Co", error_type: "upstream_error", retryable: true },
      },
    });
  });

  it("keeps them on a 429 of a provider", () => {
    const error = gatewayError(gatewayErrorCodes.upstreamRateLimited, 429, "Provider returned error", {
      retryable: true,
      metadata: { raw: "…provider's message…", provider_name: "Google AI Studio" },
    });
    expect(toHttpErrorBody(error).error.metadata).toMatchObject({ raw: "…provider's message…", provider_name: "Google AI Studio" });
  });

  it("masks raw detail on a 5xx that names no provider", () => {
    const error = gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true, metadata: { raw: "postgres://operator:secret@db", provider_code: "x" } });
    expect(toHttpErrorBody(error).error.metadata).toEqual({ error_type: "internal", retryable: true });
  });
});
