import type { UnnumberedStreamPart } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { hideReasoningText } from "./hide-reasoning-text.js";

describe("hideReasoningText (reasoning.exclude)", () => {
  it("drops reasoning text, its details and signatures over it, keeps encrypted details, the answer and the usage with its reasoning tokens", () => {
    const usage: UnnumberedStreamPart = { type: "usage", usage: { promptTokens: 5, completionTokens: 30, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 20 } };
    const encrypted: UnnumberedStreamPart = { type: "reasoning-detail", detail: { type: "reasoning.encrypted", data: "CiQB", id: "call_1", format: "google-gemini-v1", index: 1 } };
    const parts: UnnumberedStreamPart[] = [
      { type: "stream-start", upstreamId: "r" },
      { type: "reasoning-delta", text: "secret", detail: { type: "reasoning.text", text: "secret", format: "anthropic-claude-v1", index: 0 } },
      { type: "reasoning-detail", detail: { type: "reasoning.text", signature: "EqQB", format: "anthropic-claude-v1", index: 0 } },
      { type: "reasoning-detail", detail: { type: "reasoning.summary", summary: "secret summary" } },
      encrypted,
      { type: "text-delta", text: "Answer." },
      { type: "finish", finishReason: "stop", nativeFinishReason: "STOP" },
      usage,
    ];
    expect(hideReasoningText(parts)).toEqual([parts[0], encrypted, parts[5], parts[6], usage]);
  });
});
