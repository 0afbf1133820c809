import { describe, expect, it } from "vitest";
import type { EndpointHealth, EndpointOutcomes } from "@switchboard/contracts";
import { createLogger } from "@switchboard/telemetry";
import { defaultHealthPolicy, EndpointHealthTracker } from "./endpoint-health-tracker.js";
import { HealthPublisher } from "./health-publisher.js";

const endpointId = "vendor/model-a@cheap";
const logger = createLogger("router-test", "silent");

function failures(count: number): EndpointOutcomes {
  return {
    endpointId,
    counts: { ok: 0, rate_limited: 0, server_error: count, timeout: 0, connect_error: 0, client_error: 0 },
    trailingFailures: count,
    timeToFirstTokenMilliseconds: [],
    outputTokensPerSecond: [],
  };
}

/**
 * A routing bucket of one key shared by several replicas: a write succeeds only over the current revision
 * (KV compare-and-set), and every replica's watch sees every write.
 */
function sharedBucket() {
  const bucket = {
    revision: 1,
    health: {} as Record<string, EndpointHealth>,
    writes: [] as string[],
    replicas: [] as HealthPublisher[],
  };
  const writerFor = (name: string) => async (health: Record<string, EndpointHealth>, expected: number) => {
    if (expected !== bucket.revision) return null;
    bucket.revision += 1;
    bucket.health = health;
    bucket.writes.push(name);
    const revision = bucket.revision;
    // The watch delivers the entry to every replica a little later, as NATS does.
    setTimeout(() => {
      for (const replica of bucket.replicas) replica.observe(revision, health, Date.now());
    }, 1);
    return revision;
  };
  return { bucket, writerFor };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("HealthPublisher", () => {
  it("publishes at once when a status changes, not for every report, and again when the ejection ends", async () => {
    const { bucket, writerFor } = sharedBucket();
    const tracker = new EndpointHealthTracker({ ...defaultHealthPolicy, firstEjection: 50 });
    const publisher = new HealthPublisher({ tracker, write: writerFor("a"), figuresIntervalMs: 60_000, logger });
    bucket.replicas.push(publisher);
    publisher.observe(1, {}, Date.now());
    tracker.record(failures(1), Date.now());
    publisher.evaluate();
    await settle();
    // Still healthy: a new figure alone waits for the figures interval.
    expect(bucket.writes).toEqual([]);
    tracker.record(failures(2), Date.now());
    publisher.evaluate();
    await settle();
    expect(bucket.writes).toEqual(["a"]);
    expect(bucket.health[endpointId]?.status).toBe("ejected");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(bucket.writes).toEqual(["a", "a"]);
    expect(bucket.health[endpointId]?.status).toBe("healthy");
    publisher.stop();
  });

  it("lets replicas that judge alike write once between them (compare-and-set), and corrects a snapshot without the ejection", async () => {
    const { bucket, writerFor } = sharedBucket();
    const trackers = [new EndpointHealthTracker(), new EndpointHealthTracker()];
    const replicas = trackers.map((tracker, index) => new HealthPublisher({ tracker, write: writerFor(`replica-${index}`), figuresIntervalMs: 60_000, logger }));
    bucket.replicas.push(...replicas);
    for (const replica of replicas) replica.observe(1, {}, Date.now());
    // Both hear the same report (no queue group) and decide together.
    const now = Date.now();
    for (const [index, tracker] of trackers.entries()) {
      tracker.record(failures(3), now);
      replicas[index]?.evaluate();
    }
    await settle();
    expect(bucket.writes).toHaveLength(1);
    expect(bucket.health[endpointId]?.status).toBe("ejected");

    // A replica that starts puts the catalog without health: the others write the ejection back.
    bucket.revision += 1;
    bucket.health = {};
    const restarted = bucket.revision;
    for (const replica of replicas) replica.observe(restarted, {}, Date.now());
    await settle();
    expect(bucket.writes).toHaveLength(2);
    expect(bucket.health[endpointId]?.status).toBe("ejected");
    for (const replica of replicas) replica.stop();
  });
});
