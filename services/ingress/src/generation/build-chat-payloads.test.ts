import { chatChunkSchema, gatewayError, gatewayErrorCodes } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { buildErrorChunk } from "./build-chat-payloads.js";

describe("buildErrorChunk", () => {
  it("ends a stream with finish_reason error and the same error body as an HTTP answer, provider metadata included", () => {
    const error = gatewayError(gatewayErrorCodes.upstreamError, 502, "The provider (OpenAI-compatible API) returned HTTP 502", {
      retryable: true,
      metadata: { raw: "The server had an error while processing your request.", provider_name: "Primary Labs" },
    });
    const chunk = buildErrorChunk({ id: "gen-1", created: 1, model: "test/echo", provider: "Primary Labs" }, error);
    expect(chatChunkSchema.parse(chunk)).toEqual(chunk);
    expect(chunk).toMatchObject({
      choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
      error: {
        code: 502,
        message: "The provider (OpenAI-compatible API) returned HTTP 502",
        metadata: { raw: "The server had an error while processing your request.", provider_name: "Primary Labs", error_type: "upstream_error", retryable: true },
      },
    });
  });
});
