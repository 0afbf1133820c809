import { JetStreamApiCodes } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { routingSnapshotSchema, type RoutingSnapshot, type Subjects } from "@switchboard/contracts";

/**
 * Puts a routing snapshot into the routing bucket only if the key is still at `expectedRevision` (KV
 * compare-and-set), so router replicas never overwrite a snapshot they have not seen. Returns the new
 * revision, or null when another writer got there first (the caller learns the newer snapshot from its
 * watch and decides again). `expectedRevision` 0: only if the key holds no snapshot yet (or a deleted one).
 */
export async function replaceRoutingSnapshot(bucket: KV, subjects: Subjects, snapshot: RoutingSnapshot, expectedRevision: number): Promise<number | null> {
  const value = JSON.stringify(routingSnapshotSchema.parse(snapshot));
  try {
    if (expectedRevision === 0) return await bucket.create(subjects.routingSnapshotKey, value);
    return await bucket.update(subjects.routingSnapshotKey, value, expectedRevision);
  } catch (error) {
    if (typeof error === "object" && error !== null && "code" in error && error.code === JetStreamApiCodes.StreamWrongLastSequence) return null;
    throw error;
  }
}
