import { afterEach, describe, expect, it, vi } from "vitest";
import { AttemptRegistry } from "./attempt-registry.js";

const progress = (nextSeq: number) => ({ progress: () => ({ nextSeq, outputBytes: 0, usage: null, ended: false }) });

describe("AttemptRegistry", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers for running attempts and for finished ones until the retention period is over", () => {
    vi.useFakeTimers();
    const registry = new AttemptRegistry(1_000);
    registry.track("_INBOX.a", progress(3));
    expect(registry.progress("_INBOX.a")?.nextSeq).toBe(3);
    expect(registry.progress("_INBOX.unknown")).toBeUndefined();
    registry.finish("_INBOX.a");
    vi.advanceTimersByTime(999);
    expect(registry.progress("_INBOX.a")?.nextSeq).toBe(3);
    vi.advanceTimersByTime(1);
    expect(registry.progress("_INBOX.a")).toBeUndefined();
    expect(registry.size).toBe(0);
  });

  it("keeps an inbox tracked again before its expiry", () => {
    vi.useFakeTimers();
    const registry = new AttemptRegistry(1_000);
    registry.track("_INBOX.b", progress(1));
    registry.finish("_INBOX.b");
    registry.track("_INBOX.b", progress(2));
    vi.advanceTimersByTime(5_000);
    expect(registry.progress("_INBOX.b")?.nextSeq).toBe(2);
  });
});
