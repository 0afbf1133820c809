import { describe, expect, it, vi } from "vitest";
import { createNumberedPartPublisher } from "./numbered-part-publisher.js";

describe("createNumberedPartPublisher", () => {
  it("numbers parts from 0, tracks output and publishes nothing after the terminal part", () => {
    const published: { subject: string; payload: unknown }[] = [];
    const publisher = createNumberedPartPublisher(
      { publish: (subject, payload) => void published.push({ subject, payload: JSON.parse(String(payload)) }) },
      "_INBOX.x",
    );
    publisher.publish({ type: "stream-start", upstreamId: null });
    expect(publisher.outputSent).toBe(false);
    publisher.publish({ type: "reasoning-delta", text: "hm" });
    expect(publisher.outputSent).toBe(true);
    publisher.publish({ type: "stream-end" });
    publisher.publish({ type: "text-delta", text: "late" });
    publisher.publish({ type: "stream-end" });

    expect(publisher.ended).toBe(true);
    expect(published).toEqual([
      { subject: "_INBOX.x", payload: { type: "stream-start", upstreamId: null, seq: 0 } },
      { subject: "_INBOX.x", payload: { type: "reasoning-delta", text: "hm", seq: 1 } },
      { subject: "_INBOX.x", payload: { type: "stream-end", seq: 2 } },
    ]);
  });
});

describe("hidden reasoning (reasoning.exclude)", () => {
  it("counts as output, so a failure while the model thinks is not before the first token, and its size as output bytes", () => {
    const publisher = createNumberedPartPublisher({ publish: () => undefined }, "_INBOX.z");
    publisher.publish({ type: "stream-start", upstreamId: "u" });
    publisher.publish({ type: "hidden-reasoning-delta", outputBytes: 120 });
    expect(publisher.outputSent).toBe(true);
    expect(publisher.progress().outputBytes).toBe(120);
  });
});

describe("progress", () => {
  it("counts published parts, output bytes and the provider's usage, without content", () => {
    const publisher = createNumberedPartPublisher({ publish: () => undefined }, "_INBOX.y");
    expect(publisher.progress()).toEqual({ nextSeq: 0, outputBytes: 0, usage: null, ended: false });
    publisher.publish({ type: "stream-start", upstreamId: "u" });
    publisher.publish({ type: "text-delta", text: "héllo" });
    publisher.publish({ type: "tool-call-delta", index: 0, name: "f", argumentsDelta: "{}" });
    publisher.publish({ type: "heartbeat" });
    const usage = { promptTokens: 3, completionTokens: 2, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    publisher.publish({ type: "usage", usage });
    publisher.publish({ type: "stream-end" });
    expect(publisher.progress()).toEqual({ nextSeq: 6, outputBytes: 6 + 3, usage, ended: true });
  });
});

describe("publishAll", () => {
  it("numbers the parts on from the last one and sends them as one message, up to the terminal part", () => {
    const published: unknown[] = [];
    const publisher = createNumberedPartPublisher({ publish: (_subject, payload) => void published.push(JSON.parse(String(payload))) }, "_INBOX.z");
    publisher.publish({ type: "heartbeat" });
    publisher.publishAll([
      { type: "stream-start", upstreamId: null },
      { type: "text-delta", text: "whole" },
      { type: "stream-end" },
      { type: "text-delta", text: "after the end" },
    ]);
    publisher.publishAll([{ type: "text-delta", text: "ignored" }]);
    expect(published).toEqual([
      { type: "heartbeat", seq: 0 },
      [
        { type: "stream-start", upstreamId: null, seq: 1 },
        { type: "text-delta", text: "whole", seq: 2 },
        { type: "stream-end", seq: 3 },
      ],
    ]);
    expect(publisher.progress()).toMatchObject({ nextSeq: 4, outputBytes: 5, ended: true });
    expect(publisher.outputSent).toBe(true);
  });
});


describe("acknowledge", () => {
  const recording = () => {
    const published: unknown[] = [];
    const publisher = createNumberedPartPublisher({ publish: (_subject, payload) => void published.push(JSON.parse(String(payload))) }, "_INBOX.ack");
    return { published, publisher };
  };

  it("sends part 0 in the same message as the answer when the answer comes within the delay", () => {
    vi.useFakeTimers();
    try {
      const { published, publisher } = recording();
      publisher.acknowledge(250);
      expect(published).toEqual([]);
      expect(publisher.progress().nextSeq).toBe(0);
      publisher.publishAll([{ type: "text-delta", text: "fast" }, { type: "stream-end" }]);
      vi.advanceTimersByTime(1_000);
      expect(published).toEqual([
        [
          { type: "stream-start", upstreamId: null, seq: 0 },
          { type: "text-delta", text: "fast", seq: 1 },
          { type: "stream-end", seq: 2 },
        ],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends part 0 alone once the delay ends, then numbers the next parts after it", () => {
    vi.useFakeTimers();
    try {
      const { published, publisher } = recording();
      publisher.acknowledge(250);
      vi.advanceTimersByTime(249);
      expect(published).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(published).toEqual([{ type: "stream-start", upstreamId: null, seq: 0 }]);
      publisher.publish({ type: "heartbeat" });
      vi.advanceTimersByTime(1_000);
      expect(published).toEqual([
        { type: "stream-start", upstreamId: null, seq: 0 },
        { type: "heartbeat", seq: 1 },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("with a delay of 0 sends part 0 at once, and takes the request only once", () => {
    const { published, publisher } = recording();
    publisher.acknowledge(0);
    publisher.acknowledge(0);
    expect(published).toEqual([{ type: "stream-start", upstreamId: null, seq: 0 }]);
  });

  it("sends a held part 0 with an early error, and nothing after it", () => {
    vi.useFakeTimers();
    try {
      const { published, publisher } = recording();
      publisher.acknowledge(250);
      const error = { code: "upstream_error", status: 502, message: "no key", retryable: true };
      publisher.publish({ type: "error", error, beforeFirstToken: true } as never);
      vi.advanceTimersByTime(1_000);
      expect(published).toEqual([[{ type: "stream-start", upstreamId: null, seq: 0 }, expect.objectContaining({ type: "error", seq: 1 })]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
