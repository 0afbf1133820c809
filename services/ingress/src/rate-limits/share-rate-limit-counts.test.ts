import { createSubjects, rateLimitCountsSchema, type RateLimitCounts } from "@switchboard/contracts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { shareRateLimitCounts } from "./share-rate-limit-counts.js";

const subjects = createSubjects("unit");

function fakeConnection() {
  const published: { subject: string; report: RateLimitCounts }[] = [];
  let deliver: ((error: Error | null, message: { data: Uint8Array }) => void) | undefined;
  const unsubscribe = vi.fn();
  return {
    published,
    unsubscribe,
    hear: (data: unknown) => deliver?.(null, { data: new TextEncoder().encode(typeof data === "string" ? data : JSON.stringify(data)) }),
    connection: {
      publish: (subject: string, data: string) => published.push({ subject, report: rateLimitCountsSchema.parse(JSON.parse(data)) }),
      subscribe: (subject: string, options: { callback: typeof deliver }) => {
        expect(subject).toBe(subjects.rateLimitCounts);
        deliver = options.callback;
        return { unsubscribe };
      },
    } as unknown as Parameters<typeof shareRateLimitCounts>[0]["connection"],
  };
}

const entry = (index: number) => ({ keyHash: index.toString(16).padStart(64, "0"), intervalSeconds: 60, window: 1, count: 1, previousCount: 0 });

describe("shareRateLimitCounts", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("publishes this replica's counts every interval, an empty report too, in messages of at most 5,000 keys", () => {
    const bus = fakeConnection();
    let keys: RateLimitCounts["keys"] = [];
    const limiter = { report: () => keys, apply: vi.fn() };
    const stop = shareRateLimitCounts({ connection: bus.connection, subjects, limiter, replica: "me", intervalMs: 100, logger: { warn: vi.fn() } });
    vi.advanceTimersByTime(100);
    expect(bus.published).toEqual([{ subject: subjects.rateLimitCounts, report: { version: 1, replica: "me", keys: [] } }]);
    keys = Array.from({ length: 5_001 }, (_, index) => entry(index));
    vi.advanceTimersByTime(100);
    expect(bus.published.slice(1).map((message) => message.report.keys.length)).toEqual([5_000, 1]);
    stop();
    vi.advanceTimersByTime(1_000);
    expect(bus.published).toHaveLength(3);
    expect(bus.unsubscribe).toHaveBeenCalled();
  });

  it("hands the others' reports to the limiter and ignores what does not parse", () => {
    const bus = fakeConnection();
    const limiter = { report: () => [], apply: vi.fn() };
    const warn = vi.fn();
    const stop = shareRateLimitCounts({ connection: bus.connection, subjects, limiter, replica: "me", intervalMs: 100, logger: { warn } });
    const report = { version: 1, replica: "other", keys: [entry(7)] };
    bus.hear(report);
    bus.hear("not json");
    bus.hear({ version: 2, replica: "other", keys: [] });
    expect(limiter.apply.mock.calls).toEqual([[report]]);
    expect(warn).toHaveBeenCalledTimes(2);
    stop();
  });

  it("asks the limiter for changed keys only, but for every key at the first report and once every full-report interval", () => {
    const bus = fakeConnection();
    const asked: boolean[] = [];
    const limiter = {
      report: (options: { onlyChanged: boolean }) => {
        asked.push(options.onlyChanged);
        return [];
      },
      apply: vi.fn(),
    };
    const stop = shareRateLimitCounts({ connection: bus.connection, subjects, limiter, replica: "me", intervalMs: 100, fullReportIntervalMs: 500, logger: { warn: vi.fn() } });
    vi.advanceTimersByTime(1_100);
    expect(asked).toEqual([false, true, true, true, true, false, true, true, true, true, false]);
    // Empty reports still go out every interval: they say the replica is alive.
    expect(bus.published).toHaveLength(11);
    stop();
  });
});
