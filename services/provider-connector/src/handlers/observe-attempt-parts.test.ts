import { describe, expect, it } from "vitest";
import { createNumberedPartPublisher } from "./numbered-part-publisher.js";
import { observeAttemptParts } from "./observe-attempt-parts.js";

describe("observeAttemptParts", () => {
  it("passes every part on, numbered as before, and notes the finish reason and upstream id of the parts that went out", () => {
    const messages: string[] = [];
    const numbered = createNumberedPartPublisher({ publish: (_subject: string, data?: unknown) => void messages.push(String(data)) } as never, "_INBOX.test");
    const { parts, summary } = observeAttemptParts(numbered);
    parts.publish({ type: "stream-start", upstreamId: null });
    parts.publishAll([{ type: "stream-start", upstreamId: "chatcmpl-1" }, { type: "text-delta", text: "Hi" }]);
    parts.publishAll([{ type: "finish", finishReason: "length", nativeFinishReason: "max_tokens" }, { type: "stream-end" }]);
    // Nothing after the terminal part goes out, nor counts.
    parts.publish({ type: "finish", finishReason: "stop", nativeFinishReason: "stop" });
    expect(summary).toEqual({ finishReason: "length", upstreamId: "chatcmpl-1" });
    expect(parts.outputSent).toBe(true);
    expect(parts.ended).toBe(true);
    expect(parts.progress()).toEqual(numbered.progress());
    expect(messages).toHaveLength(3);
  });
});
