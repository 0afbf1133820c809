import type { UnnumberedStreamPart } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { hideReasoningText } from "./hide-reasoning-text.js";

describe("hideReasoningText (reasoning.exclude)", () => {
  const usage: UnnumberedStreamPart = { type: "usage", usage: { promptTokens: 5, completionTokens: 30, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 20 } };

  it("drops reasoning text and summaries, keeps encrypted details, the thinking signature, the answer and the usage with its reasoning tokens", () => {
    const encrypted: UnnumberedStreamPart = { type: "reasoning-detail", detail: { type: "reasoning.encrypted", data: "CiQB", id: "call_1", format: "google-gemini-v1", index: 1 } };
    const signature: UnnumberedStreamPart = { type: "reasoning-detail", detail: { type: "reasoning.text", signature: "EqQB", format: "anthropic-claude-v1", index: 0 } };
    const parts: UnnumberedStreamPart[] = [
      { type: "stream-start", upstreamId: "r" },
      { type: "reasoning-delta", text: "secret", detail: { type: "reasoning.text", text: "secret", format: "anthropic-claude-v1", index: 0 } },
      signature,
      { type: "reasoning-detail", detail: { type: "reasoning.summary", summary: "secret summary" } },
      encrypted,
      { type: "text-delta", text: "Answer." },
      { type: "finish", finishReason: "stop", nativeFinishReason: "STOP" },
      usage,
    ];
    // The text becomes its size only ("secret" is 6 bytes): the model producing output still counts.
    expect(hideReasoningText(parts)).toEqual([parts[0], { type: "hidden-reasoning-delta", outputBytes: 6 }, signature, encrypted, parts[5], parts[6], usage]);
  });

  it("keeps a signed text detail's signature (Anthropic needs the thinking block back before a tool_result) without its text", () => {
    const parts: UnnumberedStreamPart[] = [
      { type: "reasoning-detail", detail: { type: "reasoning.text", text: "secret", signature: "EqQB", format: "anthropic-claude-v1", index: 0 } },
      { type: "reasoning-detail", detail: { type: "reasoning.text", text: "unsigned secret", format: "unknown", index: 1 } },
      { type: "reasoning-detail", detail: { type: "reasoning.text", signature: "", format: "anthropic-claude-v1", index: 2 } },
    ];
    expect(hideReasoningText(parts)).toEqual([{ type: "reasoning-detail", detail: { type: "reasoning.text", signature: "EqQB", format: "anthropic-claude-v1", index: 0 } }]);
  });
});
