import type { NatsConnection } from "@nats-io/transport-node";
import { routingSnapshotSchema, type RoutingSnapshot, type Subjects } from "@switchboard/contracts";
import { openRoutingBucket } from "./open-routing-bucket.js";

/**
 * Puts a routing snapshot into the routing bucket (the router alone calls this) and returns the KV
 * revision it got. Validated before it leaves, so every watcher can parse what it receives.
 */
export async function publishRoutingSnapshot(connection: NatsConnection, subjects: Subjects, snapshot: RoutingSnapshot): Promise<number> {
  const bucket = await openRoutingBucket(connection, subjects);
  return bucket.put(subjects.routingSnapshotKey, JSON.stringify(routingSnapshotSchema.parse(snapshot)));
}
