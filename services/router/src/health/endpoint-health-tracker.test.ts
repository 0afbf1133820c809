import { describe, expect, it } from "vitest";
import { endpointOutcomesSchema, type EndpointOutcomes } from "@switchboard/contracts";
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
    expect(tracker.healthAt(start + 60_000).get(endpointId)).toEqual({
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
});
