import { describe, expect, it } from "vitest";
import { endpointHealthSchema, endpointOutcomesSchema, type EndpointHealth, type EndpointOutcomes } from "@switchboard/contracts";
import { defaultHealthPolicy, EndpointHealthTracker } from "./endpoint-health-tracker.js";

const endpointId = "vendor/model-a@cheap";
const start = Date.parse("2026-11-30T12:00:00.000Z");

/** One endpoint's part of a report; validated as the router will parse it. */
function outcomes(counts: Partial<EndpointOutcomes["counts"]>, extra: Partial<EndpointOutcomes> = {}): EndpointOutcomes {
  const all = { ok: 0, rate_limited: 0, server_error: 0, timeout: 0, connect_error: 0, client_error: 0, ...counts };
  const failures = all.rate_limited + all.server_error + all.timeout + all.connect_error;
  return endpointOutcomesSchema.parse({
    endpointId,
    counts: all,
    trailingFailures: all.ok === 0 ? failures : 0,
    timeToFirstTokenMilliseconds: [],
    outputTokensPerSecond: [],
    ...extra,
  });
}

const healthyFigures: EndpointHealth = {
  status: "healthy",
  ejectedUntil: null,
  uptimeLast30Seconds: null,
  uptimeLast5Minutes: null,
  latencyP50Milliseconds: null,
  throughputP50TokensPerSecond: null,
  requestsLast5Minutes: 0,
};

const statusAt = (tracker: EndpointHealthTracker, now: number) => tracker.healthAt(now).get(endpointId)?.status;

describe("EndpointHealthTracker", () => {
  it("ejects after three provider failures in a row, across reports, and tries the endpoint again when the backoff ends", () => {
    const tracker = new EndpointHealthTracker();
    tracker.record(outcomes({ server_error: 1 }), start);
    tracker.record(outcomes({ timeout: 1 }), start + 1_000);
    expect(statusAt(tracker, start + 1_000)).toBe("healthy");
    tracker.record(outcomes({ rate_limited: 1 }), start + 2_000);
    expect(tracker.healthAt(start + 2_000).get(endpointId)).toMatchObject({ status: "ejected", ejectedUntil: new Date(start + 7_000).toISOString() });
    expect(tracker.nextEjectionEnd(start + 2_000)).toBe(start + 7_000);
    expect(statusAt(tracker, start + 6_999)).toBe("ejected");
    expect(statusAt(tracker, start + 7_000)).toBe("healthy");
    expect(tracker.nextEjectionEnd(start + 7_000)).toBeNull();
  });

  it("does not eject when a success comes between failures, nor for the client's own errors", () => {
    const tracker = new EndpointHealthTracker();
    tracker.record(outcomes({ server_error: 2 }), start);
    tracker.record(outcomes({ ok: 1, server_error: 1 }, { trailingFailures: 0 }), start + 1_000);
    tracker.record(outcomes({ server_error: 2 }), start + 2_000);
    tracker.record(outcomes({ client_error: 50 }), start + 3_000);
    expect(statusAt(tracker, start + 3_000)).toBe("healthy");
    // The report's trailing failures continue the run: 1 trailing + 2 in the next report make three.
    tracker.record(outcomes({ ok: 1, connect_error: 1 }, { trailingFailures: 1 }), start + 4_000);
    tracker.record(outcomes({ connect_error: 2 }), start + 5_000);
    expect(statusAt(tracker, start + 5_000)).toBe("ejected");
  });

  it("doubles the backoff with each ejection in a row, up to 30 s, and resets it after a success", () => {
    const tracker = new EndpointHealthTracker();
    let now = start;
    const lengths: number[] = [];
    tracker.record(outcomes({ server_error: 3 }), now);
    for (let ejection = 0; ejection < 5; ejection += 1) {
      const until = tracker.nextEjectionEnd(now) as number;
      lengths.push(until - now);
      now = until;
      expect(statusAt(tracker, now)).toBe("healthy");
      // One failure on the first attempt after an ejection is enough to eject again.
      tracker.record(outcomes({ server_error: 1 }), now);
    }
    expect(lengths).toEqual([5_000, 10_000, 20_000, 30_000, 30_000]);
    now = tracker.nextEjectionEnd(now) as number;
    tracker.record(outcomes({ ok: 1 }), now);
    tracker.record(outcomes({ server_error: 3 }), now + 1_000);
    expect(tracker.nextEjectionEnd(now + 1_000)).toBe(now + 1_000 + defaultHealthPolicy.firstEjection);
  });

  it("ejects on a failure rate over the short window, and does not eject again for the same failures", () => {
    const tracker = new EndpointHealthTracker();
    for (let second = 0; second < 5; second += 1) {
      tracker.record(outcomes({ ok: 1, server_error: 2 }, { trailingFailures: 0 }), start + second * 1_000);
    }
    // 5 successes and 10 failures in 30 s: two thirds failed.
    expect(statusAt(tracker, start + 4_000)).toBe("ejected");
    const until = tracker.nextEjectionEnd(start + 4_000) as number;
    tracker.record(outcomes({ ok: 1 }), until);
    expect(statusAt(tracker, until)).toBe("healthy");
  });

  it("gives a healthy endpoint back within 35 s of its last failure, whatever came before", () => {
    const tracker = new EndpointHealthTracker();
    let now = start;
    tracker.record(outcomes({ server_error: 3 }), now);
    // A long outage: every retry fails until the backoff is at its cap.
    while ((tracker.nextEjectionEnd(now) as number) - now < defaultHealthPolicy.maximumEjection) {
      now = tracker.nextEjectionEnd(now) as number;
      tracker.record(outcomes({ server_error: 1 }), now);
    }
    const lastFailure = now;
    expect(statusAt(tracker, lastFailure + 29_999)).toBe("ejected");
    expect(statusAt(tracker, lastFailure + 30_000)).toBe("healthy");
  });

  it("measures uptime over 30 s and 5 minutes, and medians of time to first token and throughput", () => {
    const tracker = new EndpointHealthTracker();
    tracker.record(outcomes({ ok: 3 }, { timeToFirstTokenMilliseconds: [100, 300, 200], outputTokensPerSecond: [50, 70, 60] }), start);
    tracker.record(outcomes({ ok: 1, server_error: 1 }, { trailingFailures: 1, timeToFirstTokenMilliseconds: [400] }), start + 60_000);
    expect(tracker.healthAt(start + 60_000).get(endpointId)).toMatchObject({
      status: "healthy",
      ejectedUntil: null,
      uptimeLast30Seconds: 0.5,
      uptimeLast5Minutes: 0.8,
      latencyP50Milliseconds: 250,
      throughputP50TokensPerSecond: 60,
      requestsLast5Minutes: 5,
    });
    // Five minutes after the first report only the second is in the long window.
    expect(tracker.healthAt(start + 300_000).get(endpointId)).toMatchObject({ uptimeLast30Seconds: null, uptimeLast5Minutes: 0.5, latencyP50Milliseconds: 400, requestsLast5Minutes: 2 });
    expect(tracker.healthAt(start + 360_001).get(endpointId)).toMatchObject({ uptimeLast5Minutes: null, latencyP50Milliseconds: null, requestsLast5Minutes: 0 });
  });

  it("takes a shorter policy, as tests of whole stacks need", () => {
    const tracker = new EndpointHealthTracker({ ...defaultHealthPolicy, consecutiveFailuresToEject: 1, firstEjection: 200, maximumEjection: 1_000 });
    tracker.record(outcomes({ timeout: 1 }), start);
    expect(tracker.nextEjectionEnd(start)).toBe(start + 200);
  });

  it("keeps uptime over 30 minutes and a day, per minute, and forgets each minute when it leaves the window", () => {
    const tracker = new EndpointHealthTracker();
    const at = (minutes: number) => start + minutes * 60_000;
    tracker.record(outcomes({ ok: 9, server_error: 1 }, { trailingFailures: 0 }), at(0));
    tracker.record(outcomes({ ok: 1, server_error: 1 }, { trailingFailures: 1 }), at(100));
    tracker.record(outcomes({ ok: 3, client_error: 7 }), at(120));
    expect(tracker.healthAt(at(120)).get(endpointId)).toMatchObject({ uptimeLast30Minutes: 0.8, uptimeLastDay: 0.8667 });
    // 30 minutes after the minute of the report at 100, only the one at 120 is in the 30-minute window.
    expect(tracker.healthAt(at(130)).get(endpointId)).toMatchObject({ uptimeLast30Minutes: 1, uptimeLastDay: 0.8667 });
    expect(tracker.healthAt(at(150)).get(endpointId)).toMatchObject({ uptimeLast30Minutes: null, uptimeLastDay: 0.8667 });
    expect(tracker.healthAt(at(24 * 60)).get(endpointId)).toMatchObject({ uptimeLastDay: 0.8 });
    // A day after its last report the endpoint has nothing left to publish: it is left out (and forgotten).
    expect(tracker.healthAt(at(24 * 60 + 121)).has(endpointId)).toBe(false);
  });

  it("forgets an endpoint a day after its last report (one removed from the catalog is not published forever), but not while it is ejected or carried", () => {
    const tracker = new EndpointHealthTracker({ ...defaultHealthPolicy, firstEjection: 2 * 24 * 60 * 60_000, maximumEjection: 2 * 24 * 60 * 60_000 });
    const day = 24 * 60 * 60_000;
    tracker.record(outcomes({ ok: 1 }, { endpointId: "gone/model@a" }), start);
    tracker.record(outcomes({ server_error: 3 }, { endpointId: "ejected/model@b" }), start);
    tracker.seed({ "carried/model@c": { ...healthyFigures, uptimeLastDay: 0.5 } }, start + day - 60_000, start + day - 60_000);
    expect([...tracker.healthAt(start + 1_000).keys()].sort()).toEqual(["carried/model@c", "ejected/model@b", "gone/model@a"]);
    expect([...tracker.healthAt(start + day + 60_000).keys()].sort()).toEqual(["carried/model@c", "ejected/model@b"]);
    expect([...tracker.healthAt(start + 2 * day + 60_000).keys()]).toEqual([]);
  });

  it("gives p50/p75/p90/p99 of time to first token and throughput over 5 minutes (exact) and 30 minutes (within 2 %)", () => {
    const tracker = new EndpointHealthTracker();
    const latencies = Array.from({ length: 100 }, (_, index) => (index + 1) * 10);
    // The connector sends at most 32 samples a report: four reports a second apart carry the hundred.
    for (let report = 0; report < 4; report += 1) {
      const slice = latencies.slice(report * 25, report * 25 + 25);
      tracker.record(outcomes({ ok: 25 }, { timeToFirstTokenMilliseconds: slice, outputTokensPerSecond: slice.map((value) => value / 10) }), start + report * 1_000);
    }
    const health = tracker.healthAt(start + 4_000).get(endpointId);
    expect(health?.latencyLast5Minutes).toEqual({ p50: 500, p75: 750, p90: 900, p99: 990 });
    expect(health?.throughputLast5Minutes).toEqual({ p50: 50, p75: 75, p90: 90, p99: 99 });
    for (const [name, expected] of Object.entries({ p50: 500, p75: 750, p90: 900, p99: 990 })) {
      const measured = health?.latencyLast30Minutes?.[name as "p50"] as number;
      expect(Math.abs(measured - expected) / expected, name).toBeLessThan(0.02);
    }
    expect(health?.throughputLast30Minutes?.p99).toBeCloseTo(99, -1);
    // Ten minutes later the 5-minute figures are gone and the 30-minute ones remain; after 30 minutes those go too.
    expect(tracker.healthAt(start + 600_000).get(endpointId)).toMatchObject({ latencyLast5Minutes: null, latencyLast30Minutes: expect.any(Object) });
    expect(tracker.healthAt(start + 31 * 60_000).get(endpointId)).toMatchObject({ latencyLast30Minutes: null, throughputLast30Minutes: null });
  });

  describe("seeded from the previous router's snapshot", () => {
    const publishedAt = start;
    const previous = (health: Partial<EndpointHealth>): Record<string, EndpointHealth> => ({
      [endpointId]: endpointHealthSchema.parse({
        status: "healthy",
        ejectedUntil: null,
        uptimeLast30Seconds: null,
        uptimeLast5Minutes: null,
        latencyP50Milliseconds: null,
        throughputP50TokensPerSecond: null,
        requestsLast5Minutes: 0,
        ...health,
      }),
    });

    it("keeps an ejection for the time it has left, and its backoff level for the next one", () => {
      const tracker = new EndpointHealthTracker();
      tracker.seed(previous({ status: "ejected", ejectedUntil: new Date(start + 20_000).toISOString(), ejectionsInRow: 3 }), publishedAt, start + 2_000);
      expect(tracker.healthAt(start + 2_000).get(endpointId)).toMatchObject({ status: "ejected", ejectedUntil: new Date(start + 20_000).toISOString(), ejectionsInRow: 3 });
      expect(tracker.nextEjectionEnd(start + 2_000)).toBe(start + 20_000);
      // Reports during the ejection change nothing; the first failure after it ejects for 5 s × 2³.
      tracker.record(outcomes({ server_error: 1 }), start + 10_000);
      expect(statusAt(tracker, start + 19_999)).toBe("ejected");
      expect(statusAt(tracker, start + 20_000)).toBe("healthy");
      tracker.record(outcomes({ server_error: 1 }), start + 21_000);
      expect(tracker.nextEjectionEnd(start + 21_000)).toBe(start + 21_000 + 30_000);
      expect(tracker.healthAt(start + 21_000).get(endpointId)).toMatchObject({ status: "ejected", ejectionsInRow: 4 });
    });

    it("leaves an endpoint whose ejection ended while no router ran on probation: one failure ejects it again", () => {
      const tracker = new EndpointHealthTracker();
      tracker.seed(previous({ status: "ejected", ejectedUntil: new Date(start + 5_000).toISOString(), ejectionsInRow: 1 }), publishedAt, start + 60_000);
      expect(statusAt(tracker, start + 60_000)).toBe("healthy");
      tracker.record(outcomes({ timeout: 1 }), start + 61_000);
      expect(tracker.nextEjectionEnd(start + 61_000)).toBe(start + 61_000 + 10_000);
    });

    it("starts a snapshot's ejection without a backoff level (an older router's) as the first in a row", () => {
      const tracker = new EndpointHealthTracker();
      tracker.seed(previous({ status: "ejected", ejectedUntil: new Date(start + 5_000).toISOString() }), publishedAt, start + 1_000);
      expect(tracker.healthAt(start + 1_000).get(endpointId)).toMatchObject({ status: "ejected", ejectionsInRow: 1 });
      tracker.record(outcomes({ ok: 1 }), start + 6_000);
      expect(tracker.healthAt(start + 6_000).get(endpointId)).toMatchObject({ status: "healthy", ejectionsInRow: 0 });
    });

    it("reports the published figures until it measures its own, or until each figure's window has passed", () => {
      const tracker = new EndpointHealthTracker();
      const latency = { p50: 200, p75: 300, p90: 400, p99: 900 };
      tracker.seed(
        previous({ uptimeLast30Seconds: 1, uptimeLast5Minutes: 0.5, requestsLast5Minutes: 40, latencyP50Milliseconds: 200, latencyLast5Minutes: latency, uptimeLast30Minutes: 0.9, uptimeLastDay: 0.99, latencyLast30Minutes: latency }),
        publishedAt,
        start + 1_000,
      );
      expect(tracker.healthAt(start + 1_000).get(endpointId)).toMatchObject({
        uptimeLast30Seconds: 1,
        uptimeLast5Minutes: 0.5,
        requestsLast5Minutes: 40,
        latencyP50Milliseconds: 200,
        latencyLast5Minutes: latency,
        uptimeLast30Minutes: 0.9,
        uptimeLastDay: 0.99,
        latencyLast30Minutes: latency,
      });
      // Its own measurement replaces a short figure; the 30-minute and day uptimes blend it in by the share
      // of their window measured here; the others stay until their window has passed since publication.
      tracker.record(outcomes({ ok: 2 }, { timeToFirstTokenMilliseconds: [50, 50] }), start + 40_000);
      expect(tracker.healthAt(start + 40_000).get(endpointId)).toMatchObject({
        uptimeLast30Seconds: 1,
        uptimeLast5Minutes: 1,
        requestsLast5Minutes: 2,
        latencyP50Milliseconds: 50,
        uptimeLast30Minutes: 0.9022,
        uptimeLastDay: 0.99,
      });
      const later = tracker.healthAt(start + 400_000).get(endpointId);
      expect(later).toMatchObject({ uptimeLast5Minutes: null, latencyLast5Minutes: null, requestsLast5Minutes: 0, uptimeLast30Minutes: 0.9222, uptimeLastDay: 0.99 });
      expect(tracker.healthAt(start + 40 * 60_000).get(endpointId)).toMatchObject({ uptimeLast30Minutes: null, latencyLast30Minutes: null, uptimeLastDay: 0.9903 });
    });

    it("does not let one success after a restart replace a day's published uptime", () => {
      const tracker = new EndpointHealthTracker();
      tracker.seed(previous({ uptimeLast30Minutes: 0.5, uptimeLastDay: 0.5 }), publishedAt, start);
      tracker.record(outcomes({ ok: 1 }), start + 60_000);
      const health = tracker.healthAt(start + 60_000).get(endpointId);
      expect(health?.uptimeLastDay).toBeCloseTo(0.5, 2);
      expect(health?.uptimeLast30Minutes).toBeCloseTo(0.5 + 0.5 / 30, 3);
      // Half a day later, half of the day is this router's own (all successes here).
      tracker.record(outcomes({ ok: 1 }), start + 12 * 3_600_000);
      expect(tracker.healthAt(start + 12 * 3_600_000).get(endpointId)?.uptimeLastDay).toBe(0.75);
    });

    it("reports a day figure it has not measured for a day after its publication, and no longer", () => {
      const tracker = new EndpointHealthTracker();
      tracker.seed(previous({ uptimeLastDay: 0.99 }), publishedAt, start);
      expect(tracker.healthAt(start + 23 * 3_600_000).get(endpointId)?.uptimeLastDay).toBe(0.99);
      // Nothing measured and nothing carried any more: the endpoint is left out altogether.
      expect(tracker.healthAt(start + 24 * 3_600_000).has(endpointId)).toBe(false);
    });
  });
});
