import { describe, expect, it } from "vitest";
import { routingSnapshotSchema, type EndpointHealth } from "@switchboard/contracts";
import { createLogger } from "@switchboard/telemetry";
import { EndpointHealthTracker } from "./endpoint-health-tracker.js";
import { resumePublishedHealth } from "./resume-published-health.js";

const logger = createLogger("router-test", "silent");
const start = Date.parse("2026-11-30T12:00:00.000Z");

const ejected = (until: number): EndpointHealth => ({
  status: "ejected",
  ejectedUntil: new Date(until).toISOString(),
  uptimeLast30Seconds: 0,
  uptimeLast5Minutes: 0.25,
  latencyP50Milliseconds: null,
  throughputP50TokensPerSecond: null,
  requestsLast5Minutes: 8,
  ejectionsInRow: 2,
});

function snapshotWith(health: Record<string, EndpointHealth> | undefined) {
  return {
    revision: 7,
    snapshot: routingSnapshotSchema.parse({ version: health ? 2 : 1, loadedAt: new Date(start).toISOString(), publishedAt: new Date(start).toISOString(), models: [], health }),
  };
}

describe("resumePublishedHealth", () => {
  it("takes up the ejections of endpoints still in the catalog and returns the health to publish first", () => {
    const tracker = new EndpointHealthTracker();
    const health = resumePublishedHealth({
      previous: snapshotWith({ "vendor/model-a@cheap": ejected(start + 10_000), "vendor/gone@old": ejected(start + 10_000) }),
      tracker,
      endpointIds: new Set(["vendor/model-a@cheap", "vendor/model-a@pricey"]),
      logger,
      now: start + 3_000,
    });
    expect(Object.keys(health)).toEqual(["vendor/model-a@cheap"]);
    expect(health["vendor/model-a@cheap"]).toMatchObject({ status: "ejected", ejectedUntil: new Date(start + 10_000).toISOString(), ejectionsInRow: 2, uptimeLast5Minutes: 0.25 });
    expect(tracker.nextEjectionEnd(start + 3_000)).toBe(start + 10_000);
  });

  it("starts with no health without a snapshot, or from a version 1 snapshot without health", () => {
    for (const previous of [null, snapshotWith(undefined)]) {
      const tracker = new EndpointHealthTracker();
      expect(resumePublishedHealth({ previous, tracker, endpointIds: new Set(["vendor/model-a@cheap"]), logger, now: start })).toEqual({});
    }
  });
});
