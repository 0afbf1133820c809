import type { UnnumberedStreamPart } from "@switchboard/contracts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createNumberedPartPublisher } from "./numbered-part-publisher.js";
import { publishHeartbeats } from "./publish-heartbeats.js";

describe("publishHeartbeats", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function recordingPublisher() {
    const published: { type: UnnumberedStreamPart["type"]; seq: number }[] = [];
    const parts = createNumberedPartPublisher({ publish: (_subject, payload) => void published.push(JSON.parse(String(payload))) }, "_INBOX.h");
    return { parts, published };
  }

  it("publishes a numbered heartbeat every interval, between the other parts, until stopped", () => {
    const { parts, published } = recordingPublisher();
    const stop = publishHeartbeats(parts, 100);
    vi.advanceTimersByTime(99);
    expect(published).toEqual([]);
    vi.advanceTimersByTime(1);
    parts.publish({ type: "stream-start", upstreamId: null });
    vi.advanceTimersByTime(200);
    stop();
    vi.advanceTimersByTime(1_000);
    expect(published).toEqual([
      { type: "heartbeat", seq: 0 },
      { type: "stream-start", upstreamId: null, seq: 1 },
      { type: "heartbeat", seq: 2 },
      { type: "heartbeat", seq: 3 },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("publishes nothing after the terminal part and lets its timer go even if nobody stops it", () => {
    const { parts, published } = recordingPublisher();
    publishHeartbeats(parts, 50);
    vi.advanceTimersByTime(50);
    parts.publish({ type: "stream-end" });
    vi.advanceTimersByTime(500);
    expect(published.map((part) => part.type)).toEqual(["heartbeat", "stream-end"]);
    expect(vi.getTimerCount()).toBe(0);
  });
  it("survives a connection that refuses to publish (closing at shutdown) without an uncaught throw", () => {
    const parts = createNumberedPartPublisher(
      {
        publish: () => {
          throw new Error("connection closed");
        },
      },
      "_INBOX.closed",
    );
    const stop = publishHeartbeats(parts, 100);
    expect(() => vi.advanceTimersByTime(300)).not.toThrow();
    // Nothing went out, so nothing was numbered: no gap for ingress to see.
    expect(parts.progress().nextSeq).toBe(0);
    stop();
  });
});
