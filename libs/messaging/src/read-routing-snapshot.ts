import type { KV } from "@nats-io/kv";
import { routingSnapshotSchema, type Subjects } from "@switchboard/contracts";
import type { RoutingSnapshotUpdate } from "./routing-snapshot-watch.js";

/**
 * The routing snapshot now in the bucket, with its revision: what a starting router takes up (its health)
 * before it publishes. Null when the key holds no snapshot, or one that does not parse (a reader never
 * trusts what it cannot validate; the caller starts afresh).
 */
export async function readRoutingSnapshot(bucket: KV, subjects: Subjects): Promise<RoutingSnapshotUpdate | null> {
  const entry = await bucket.get(subjects.routingSnapshotKey);
  if (entry === null || entry.operation !== "PUT" || entry.length === 0) return null;
  let json: unknown;
  try {
    json = entry.json();
  } catch {
    return null;
  }
  const parsed = routingSnapshotSchema.safeParse(json);
  return parsed.success ? { snapshot: parsed.data, revision: entry.revision } : null;
}
