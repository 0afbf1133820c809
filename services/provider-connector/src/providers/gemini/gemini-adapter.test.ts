import { readFile } from "node:fs/promises";
import { gatewayErrorCodes } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { readUpstreamStream } from "../../transport/read-upstream-stream.js";
import { geminiAdapter } from "./gemini-adapter.js";

function event(data: unknown) {
  return { data: JSON.stringify(data) };
}

describe("gemini adapter", () => {
  it("builds generateContent and streamGenerateContent?alt=sse URLs below the version-less base URL, the key in x-goog-api-key", () => {
    const input = { body: { messages: [{ role: "user" as const, content: "Hi" }] }, upstreamModel: "gemini-2.5-flash", maxCompletionTokens: 10, baseUrl: "https://generativelanguage.googleapis.com" };
    expect(geminiAdapter.toUpstreamRequest({ ...input, stream: false }).url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
    const streamed = geminiAdapter.toUpstreamRequest({ ...input, stream: true });
    expect(streamed.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(streamed.credential).toEqual({ scheme: "header", headerName: "x-goog-api-key" });
    expect(streamed.body).not.toHaveProperty("model");
    expect(geminiAdapter.toUpstreamRequest({ ...input, upstreamModel: "tunedModels/mine-1", stream: false }).url).toBe(
      "https://generativelanguage.googleapis.com/v1beta/tunedModels/mine-1:generateContent",
    );
  });

  it("counts thinking tokens in completion_tokens and as reasoning; cached tokens are already inside the prompt", () => {
    const { parts } = geminiAdapter.fromUpstreamResponse({
      responseId: "r1",
      candidates: [{ content: { parts: [{ text: "Plan.", thought: true }, { text: "Done." }] }, finishReason: "MAX_TOKENS", index: 0 }],
      usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 5, thoughtsTokenCount: 20 },
    });
    expect(parts).toEqual([
      { type: "stream-start", upstreamId: "r1" },
      { type: "reasoning-delta", text: "Plan.", detail: { type: "reasoning.text", text: "Plan.", format: "google-gemini-v1", index: 0 } },
      { type: "text-delta", text: "Done." },
      { type: "finish", finishReason: "length", nativeFinishReason: "MAX_TOKENS" },
      { type: "usage", usage: { promptTokens: 100, completionTokens: 25, cachedPromptTokens: 60, cacheWriteTokens: 0, reasoningTokens: 20 } },
    ]);
  });

  it("mints a tool call id per call and reports tool_calls though Gemini says STOP", async () => {
    const transcript = await readFile(new URL("../__fixtures__/gemini-stream-tool-calls.sse", import.meta.url), "utf8");
    const state = geminiAdapter.createStreamState();
    const parts = [];
    async function* body() {
      yield transcript;
    }
    for await (const item of readUpstreamStream(body(), geminiAdapter.streamFraming)) parts.push(...geminiAdapter.fromUpstreamStreamEvent(item, state));
    expect(parts.filter((part) => part.type === "tool-call-delta")).toEqual([
      { type: "tool-call-delta", index: 0, id: "call_0KQ0aLGDMsC3gLUPlNrZ0Q4_0", name: "get_weather", argumentsDelta: '{"location":"Paris"}' },
      { type: "tool-call-delta", index: 1, id: "call_0KQ0aLGDMsC3gLUPlNrZ0Q4_1", name: "get_weather", argumentsDelta: '{"location":"Rome"}' },
    ]);
    expect(parts).toContainEqual({ type: "finish", finishReason: "tool_calls", nativeFinishReason: "STOP" });
  });

  it.each([
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["MALFORMED_FUNCTION_CALL", "error"],
    ["OTHER", "stop"],
  ])("maps finishReason %s to %s", (native, expected) => {
    const { parts } = geminiAdapter.fromUpstreamResponse({ candidates: [{ content: { parts: [] }, finishReason: native }], usageMetadata: { promptTokenCount: 1 } });
    expect(parts).toContainEqual({ type: "finish", finishReason: expected, nativeFinishReason: native });
  });

  it("returns thought signatures as encrypted reasoning_details, a function call's carrying the call's id", () => {
    const { parts } = geminiAdapter.fromUpstreamResponse({
      responseId: "r9",
      candidates: [
        {
          content: { parts: [{ text: "Thinking.", thought: true }, { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "CiQB0e2K" }, { text: "", thoughtSignature: "Q2lRQg==" }] },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 7 },
    });
    const format = "google-gemini-v1";
    expect(parts.slice(1, 5)).toEqual([
      { type: "reasoning-delta", text: "Thinking.", detail: { type: "reasoning.text", text: "Thinking.", format, index: 0 } },
      { type: "tool-call-delta", index: 0, id: "call_r9_0", name: "get_weather", argumentsDelta: '{"city":"Paris"}' },
      { type: "reasoning-detail", detail: { type: "reasoning.encrypted", data: "CiQB0e2K", id: "call_r9_0", format, index: 1 } },
      { type: "reasoning-detail", detail: { type: "reasoning.encrypted", data: "Q2lRQg==", format, index: 2 } },
    ]);
  });

  it("reports a blocked prompt as content_filter with the block reason", () => {
    const { parts } = geminiAdapter.fromUpstreamResponse({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 } });
    expect(parts.slice(1)).toEqual([
      { type: "finish", finishReason: "content_filter", nativeFinishReason: "SAFETY" },
      { type: "usage", usage: { promptTokens: 8, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } },
    ]);
  });

  it("sends later usage totals again after the finish, and is incomplete until a finish reason arrives", () => {
    const state = geminiAdapter.createStreamState();
    geminiAdapter.fromUpstreamStreamEvent(event({ candidates: [{ content: { parts: [{ text: "a" }] } }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1 } }), state);
    expect(geminiAdapter.isStreamComplete(state)).toBe(false);
    geminiAdapter.fromUpstreamStreamEvent(event({ candidates: [{ content: { parts: [{ text: "b" }] }, finishReason: "STOP" }] }), state);
    expect(geminiAdapter.isStreamComplete(state)).toBe(true);
    expect(geminiAdapter.fromUpstreamStreamEvent(event({ usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 } }), state)).toEqual([
      { type: "usage", usage: { promptTokens: 3, completionTokens: 2, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } },
    ]);
  });

  it("turns an error object inside the stream into the error its code says", () => {
    const state = geminiAdapter.createStreamState();
    expect(() => geminiAdapter.fromUpstreamStreamEvent(event({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }), state)).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ code: gatewayErrorCodes.upstreamError, retryable: true, metadata: { raw: "The model is overloaded.", provider_code: "UNAVAILABLE" } }) }),
    );
  });

  it("keeps Google's message and status from an error body", () => {
    const body = JSON.stringify({ error: { code: 429, message: "Resource has been exhausted", status: "RESOURCE_EXHAUSTED" } });
    expect(geminiAdapter.fromUpstreamError(429, body)).toMatchObject({
      code: gatewayErrorCodes.upstreamRateLimited,
      retryable: true,
      metadata: { raw: "Resource has been exhausted", provider_code: "RESOURCE_EXHAUSTED" },
    });
  });
});
