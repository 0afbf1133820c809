import type { ReasoningDetail } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { mergeReasoningDetail } from "./merge-reasoning-detail.js";

describe("mergeReasoningDetail", () => {
  it("rebuilds whole entries from streamed pieces: text concatenates, the signature is set, other indexes and types start new entries", () => {
    const details: ReasoningDetail[] = [];
    const format = "anthropic-claude-v1";
    for (const piece of [
      { type: "reasoning.text", text: "Hmm. ", format, index: 0 },
      { type: "reasoning.text", text: "Paris.", format, index: 0 },
      { type: "reasoning.text", signature: "EqQB", format, index: 0 },
      { type: "reasoning.encrypted", data: "EmwK", format, index: 1 },
      { type: "reasoning.encrypted", data: "CiQB", id: "call_1", format: "google-gemini-v1", index: 2 },
      { type: "reasoning.summary", summary: "Looked it up." },
    ] as ReasoningDetail[]) {
      mergeReasoningDetail(details, piece);
    }
    expect(details).toEqual([
      { type: "reasoning.text", text: "Hmm. Paris.", signature: "EqQB", format, index: 0 },
      { type: "reasoning.encrypted", data: "EmwK", format, index: 1 },
      { type: "reasoning.encrypted", data: "CiQB", id: "call_1", format: "google-gemini-v1", index: 2 },
      { type: "reasoning.summary", summary: "Looked it up." },
    ]);
  });

  it("does not change the piece it was given (the stream relays it as it is)", () => {
    const first = { type: "reasoning.text" as const, text: "a", index: 0 };
    const details: ReasoningDetail[] = [];
    mergeReasoningDetail(details, first);
    mergeReasoningDetail(details, { type: "reasoning.text", text: "b", index: 0 });
    expect(first.text).toBe("a");
    expect(details).toEqual([{ type: "reasoning.text", text: "ab", index: 0 }]);
  });
});
