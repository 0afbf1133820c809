import { jetstreamManager } from "@nats-io/jetstream";
import { createSubjects } from "@switchboard/contracts";
import { RoutingSnapshotWatch, type RoutingSnapshotUpdate } from "@switchboard/messaging";
import { describe, expect, it } from "vitest";
import { deleteRoutingBucket, publishTestRoutingSnapshot } from "../../support/routing-snapshot.js";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { waitFor } from "../../support/wait-for.js";

describe("RoutingSnapshotWatch", () => {
  it("started before the router created the bucket, waits quietly and applies the first snapshot as soon as it exists (issue 8: readers never create it)", async () => {
    const subjects = createSubjects(uniqueNamespace("watch"));
    const connection = await connectTestNats();
    const capture: LogCapture = { lines: [] };
    const updates: RoutingSnapshotUpdate[] = [];
    const watch = new RoutingSnapshotWatch(connection, subjects, { logger: testLogger("ingress", capture), onSnapshot: (update) => updates.push(update), retryDelayMs: 30_000 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const manager = await jetstreamManager(connection);
      // The watch did not create the bucket.
      await expect(manager.streams.info(`KV_${subjects.routingBucket}`)).rejects.toThrow("stream not found");
      await publishTestRoutingSnapshot(connection, subjects, []);
      // Far sooner than the retry delay: the bucket's creation wakes the waiting watch.
      await waitFor(async () => (updates.length > 0 ? true : undefined), 2_000, "the first snapshot");
      const waiting = capture.lines.filter((line) => line.includes("waiting for the router"));
      expect(waiting).toHaveLength(1);
      expect(capture.lines.filter((line) => line.includes("watch failed"))).toEqual([]);
    } finally {
      watch.stop();
      await deleteRoutingBucket(connection, subjects);
      await connection.close();
    }
  });
});
