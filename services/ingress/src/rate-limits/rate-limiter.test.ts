import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter.js";

const keyHash = "a".repeat(64);
const reportIntervalMs = 100;

/**
 * Replicas on one fake clock, exchanging reports every 100 ms (each at its own phase, delivered after
 * `latencyMs`), as RateLimitSharing does over NATS.
 */
function cluster(replicas: number, options: { start?: number; latencyMs?: number; fullReportEvery?: number } = {}) {
  const clock = { now: options.start ?? 1_000_000 };
  const limiters = Array.from(
    { length: replicas },
    (_, index) => new RateLimiter({ replica: `replica-${index}`, reportIntervalMs, peerTimeoutMs: 1_000, now: () => clock.now }),
  );
  const inFlight: { deliverAt: number; from: number; keys: ReturnType<RateLimiter["report"]> }[] = [];
  // With `fullReportEvery`, reports carry only changed keys but every n-th (as shareRateLimitCounts sends them).
  const reportsSent = limiters.map(() => 0);
  const reportOf = (limiter: RateLimiter, index: number) => {
    const every = options.fullReportEvery;
    const sent = reportsSent[index] ?? 0;
    reportsSent[index] = sent + 1;
    return limiter.report({ onlyChanged: every !== undefined && sent % every !== 0 });
  };
  /** Advances the clock by 1 ms: reports due go out, reports arrived are applied. */
  const step = () => {
    clock.now += 1;
    limiters.forEach((limiter, index) => {
      // Replica i reports at phase i × 37 ms within each period, so reports are not in step.
      if ((clock.now + index * 37) % reportIntervalMs === 0) inFlight.push({ deliverAt: clock.now + (options.latencyMs ?? 1), from: index, keys: reportOf(limiter, index) });
    });
    for (const report of inFlight.filter((entry) => entry.deliverAt <= clock.now)) {
      inFlight.splice(inFlight.indexOf(report), 1);
      for (const limiter of limiters) limiter.apply({ version: 1, replica: `replica-${report.from}`, keys: report.keys });
    }
  };
  return { clock, limiters, step };
}

/**
 * Runs `durationMs`, each replica offered `perMillisecond[i]` requests every millisecond; admitted per fixed
 * window, the window the run ends in (cut short) left out.
 */
function hammer(
  setup: ReturnType<typeof cluster>,
  limit: { requests: number; intervalSeconds: number },
  durationMs: number,
  perMillisecond: number[],
): Map<number, number> {
  const perWindow = new Map<number, number>();
  for (let elapsed = 0; elapsed < durationMs; elapsed++) {
    setup.step();
    setup.limiters.forEach((limiter, index) => {
      for (let request = 0; request < (perMillisecond[index] ?? 0); request++) {
        if (limiter.admit(keyHash, limit) === undefined) {
          const window = Math.floor(setup.clock.now / (limit.intervalSeconds * 1_000));
          perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
        }
      }
    });
  }
  perWindow.delete(Math.floor(setup.clock.now / (limit.intervalSeconds * 1_000)));
  return perWindow;
}

describe("RateLimiter", () => {
  it("admits exactly the limit per window on one replica and says when to come back", () => {
    const setup = cluster(1, { start: 2_000_000 });
    const limit = { requests: 10, intervalSeconds: 10 };
    const [limiter] = setup.limiters as [RateLimiter];
    for (let index = 0; index < 10; index++) expect(limiter.admit(keyHash, limit)).toBeUndefined();
    // All ten at the window's start: the next one fits once the previous window's ten weigh 9 or less,
    // a tenth of the way into the next window.
    expect(limiter.admit(keyHash, limit)).toEqual({ limit, retryAfterSeconds: 11, resetAtMs: 2_011_000 });
    setup.clock.now = 2_005_500;
    expect(limiter.admit(keyHash, limit)?.retryAfterSeconds).toBe(6);
    // Just after the window turns the previous ten still weigh 9.999: an eleventh request within ten seconds
    // would pass the limit, so it waits.
    setup.clock.now = 2_010_001;
    expect(limiter.admit(keyHash, limit)).toMatchObject({ retryAfterSeconds: 1, resetAtMs: 2_011_000 });
    setup.clock.now = 2_011_000;
    expect(limiter.admit(keyHash, limit)).toBeUndefined();
    expect(limiter.admit(keyHash, limit)?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("never admits more than the limit across a window's turn: a key limited to 3 a minute, 3 sent just before the minute and more just after", () => {
    const setup = cluster(2, { start: 60_000 * 1_000 - 1_500 });
    const limit = { requests: 3, intervalSeconds: 60 };
    const [first, second] = setup.limiters as [RateLimiter, RateLimiter];
    expect(first.admit(keyHash, limit)).toBeUndefined();
    expect(second.admit(keyHash, limit)).toBeUndefined();
    expect(first.admit(keyHash, limit)).toBeUndefined();
    // The minute turns and both replicas have heard each other: the previous window's 3 weigh 2.99, and a
    // fourth request would make 3.99.
    while (setup.clock.now < 60_000 * 1_000 + 300) setup.step();
    expect(second.admit(keyHash, limit)).toBeDefined();
    expect(first.admit(keyHash, limit)).toBeDefined();
  });

  it("keeps windows per key and starts over when the key's interval changes", () => {
    const setup = cluster(1);
    const [limiter] = setup.limiters as [RateLimiter];
    expect(limiter.admit(keyHash, { requests: 1, intervalSeconds: 60 })).toBeUndefined();
    expect(limiter.admit(keyHash, { requests: 1, intervalSeconds: 60 })).toBeDefined();
    expect(limiter.admit("b".repeat(64), { requests: 1, intervalSeconds: 60 })).toBeUndefined();
    expect(limiter.admit(keyHash, { requests: 1, intervalSeconds: 30 })).toBeUndefined();
  });

  it("holds the limit under hammering on one replica: the limit per window, then as many as the window frees", () => {
    const setup = cluster(1);
    const perWindow = hammer(setup, { requests: 100, intervalSeconds: 2 }, 10_000, [1]);
    for (const admitted of perWindow.values()) {
      expect(admitted).toBeLessThanOrEqual(100);
      expect(admitted).toBeGreaterThanOrEqual(90);
    }
  });

  it("two replicas hammered alike stay within 10 % of the limit in every window, the first burst included", () => {
    const setup = cluster(2, { latencyMs: 2 });
    // Both replicas know each other (an empty report each) before the key's first request.
    for (let elapsed = 0; elapsed < 150; elapsed++) setup.step();
    const perWindow = hammer(setup, { requests: 100, intervalSeconds: 2 }, 12_000, [3, 3]);
    expect(perWindow.size).toBeGreaterThanOrEqual(6);
    for (const admitted of perWindow.values()) {
      expect(admitted).toBeLessThanOrEqual(110);
      expect(admitted).toBeGreaterThanOrEqual(90);
    }
  });

  it("gives a lone busy replica nearly the whole limit while an idle peer reports nothing", () => {
    const setup = cluster(2);
    for (let elapsed = 0; elapsed < 150; elapsed++) setup.step();
    const perWindow = hammer(setup, { requests: 100, intervalSeconds: 2 }, 12_000, [2, 0]);
    for (const admitted of perWindow.values()) {
      expect(admitted).toBeLessThanOrEqual(100);
      expect(admitted).toBeGreaterThanOrEqual(90);
    }
  });

  it("three replicas under uneven load stay within 10 % of the limit", () => {
    const setup = cluster(3, { latencyMs: 3 });
    for (let elapsed = 0; elapsed < 150; elapsed++) setup.step();
    const perWindow = hammer(setup, { requests: 200, intervalSeconds: 1 }, 8_000, [5, 1, 2]);
    for (const admitted of perWindow.values()) {
      expect(admitted).toBeLessThanOrEqual(220);
      expect(admitted).toBeGreaterThanOrEqual(180);
    }
  });

  it("stops counting a peer not heard from within the timeout, and forgets idle keys", () => {
    const setup = cluster(2);
    const [first, second] = setup.limiters as [RateLimiter, RateLimiter];
    const limit = { requests: 10, intervalSeconds: 60 };
    setup.clock.now = 6_000_000;
    for (let index = 0; index < 10; index++) expect(second.admit(keyHash, limit)).toBeUndefined();
    first.apply({ version: 1, replica: "replica-1", keys: second.report() });
    expect(first.livePeers).toBe(1);
    expect(first.admit(keyHash, limit)).toBeDefined();
    setup.clock.now += 1_001;
    expect(first.livePeers).toBe(0);
    expect(first.admit(keyHash, limit)).toBeUndefined();
    // Its own report, heard back, is not a peer.
    first.apply({ version: 1, replica: "replica-0", keys: [] });
    expect(first.livePeers).toBe(0);
    // Two windows later nothing is left to report.
    setup.clock.now += 120_000;
    expect(first.report()).toEqual([]);
  });

  describe("with reports of changed keys only, and a full report every second", () => {
    it("two replicas hammered alike stay within 10 % of the limit in every window, the first burst included", () => {
      const setup = cluster(2, { latencyMs: 2, fullReportEvery: 10 });
      for (let elapsed = 0; elapsed < 150; elapsed++) setup.step();
      const perWindow = hammer(setup, { requests: 100, intervalSeconds: 2 }, 12_000, [3, 3]);
      expect(perWindow.size).toBeGreaterThanOrEqual(6);
      for (const admitted of perWindow.values()) {
        expect(admitted).toBeLessThanOrEqual(110);
        expect(admitted).toBeGreaterThanOrEqual(90);
      }
    });

    it("three replicas under uneven load stay within 10 % of the limit", () => {
      const setup = cluster(3, { latencyMs: 3, fullReportEvery: 10 });
      for (let elapsed = 0; elapsed < 150; elapsed++) setup.step();
      const perWindow = hammer(setup, { requests: 200, intervalSeconds: 1 }, 8_000, [5, 1, 2]);
      for (const admitted of perWindow.values()) {
        expect(admitted).toBeLessThanOrEqual(220);
        expect(admitted).toBeGreaterThanOrEqual(180);
      }
    });

    it("reports a key only when it admitted a request since its last report; a full report has every counted key", () => {
      const clock = { now: 7_000_000 };
      const limiter = new RateLimiter({ replica: "me", reportIntervalMs, peerTimeoutMs: 1_000, now: () => clock.now });
      const limit = { requests: 100, intervalSeconds: 60 };
      const other = "b".repeat(64);
      limiter.admit(keyHash, limit);
      limiter.admit(other, limit);
      expect(limiter.report({ onlyChanged: true }).map((entry) => entry.keyHash).sort()).toEqual([keyHash, other]);
      // Nothing admitted since: nothing to say.
      expect(limiter.report({ onlyChanged: true })).toEqual([]);
      limiter.admit(other, limit);
      expect(limiter.report({ onlyChanged: true })).toEqual([{ keyHash: other, intervalSeconds: 60, window: 116, count: 2, previousCount: 0 }]);
      expect(limiter.report({ onlyChanged: false }).map((entry) => entry.keyHash).sort()).toEqual([keyHash, other]);
      // The window turns with no new admission: no change to report (a peer reads its last entry as the previous window).
      clock.now += 60_000;
      expect(limiter.report({ onlyChanged: true })).toEqual([]);
      expect(limiter.report({ onlyChanged: false })).toEqual([
        { keyHash, intervalSeconds: 60, window: 117, count: 0, previousCount: 1 },
        { keyHash: other, intervalSeconds: 60, window: 117, count: 0, previousCount: 2 },
      ]);
    });

    it("a peer counts an unreported key's last entry as the previous window once the window turns", () => {
      const setup = cluster(2);
      const [first, second] = setup.limiters as [RateLimiter, RateLimiter];
      const limit = { requests: 10, intervalSeconds: 60 };
      setup.clock.now = 6_000_000;
      for (let index = 0; index < 10; index++) expect(second.admit(keyHash, limit)).toBeUndefined();
      first.apply({ version: 1, replica: "replica-1", keys: second.report({ onlyChanged: true }) });
      expect(first.admit(keyHash, limit)).toBeDefined();
      // A tenth into the next window, with only empty reports of changes from the second replica since:
      // its 10 still weigh 90 % (9), so one request fits, not two.
      setup.clock.now = 6_066_000;
      first.apply({ version: 1, replica: "replica-1", keys: second.report({ onlyChanged: true }) });
      expect(first.admit(keyHash, limit)).toBeUndefined();
      expect(first.admit(keyHash, limit)).toBeDefined();
    });

    it("a lost report of changes is made good by the next full report", () => {
      const setup = cluster(2);
      const [first, second] = setup.limiters as [RateLimiter, RateLimiter];
      const limit = { requests: 10, intervalSeconds: 60 };
      setup.clock.now = 6_000_000;
      for (let index = 0; index < 10; index++) expect(second.admit(keyHash, limit)).toBeUndefined();
      second.report({ onlyChanged: true }); // lost on the way
      first.apply({ version: 1, replica: "replica-1", keys: second.report({ onlyChanged: true }) });
      // The first replica hears nothing of the 10; the next full report tells it.
      expect(second.report({ onlyChanged: true })).toEqual([]);
      first.apply({ version: 1, replica: "replica-1", keys: second.report({ onlyChanged: false }) });
      setup.clock.now += 1;
      expect(first.admit(keyHash, limit)).toBeDefined();
    });
  });
});
