import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";

/**
 * Opens the routing KV bucket, creating it when absent: the router's side. Only the router may create and
 * write the bucket (bus permissions); ingress and the connector only watch it (`RoutingSnapshotWatch`),
 * waiting for the router when it does not exist yet. One revision per
 * key is kept: readers want the latest snapshot, and a restarted router simply publishes again. File
 * storage, so the last snapshot survives a NATS restart and a router that is down.
 */
export async function openRoutingBucket(connection: NatsConnection, subjects: Subjects): Promise<KV> {
  return new Kvm(connection).create(subjects.routingBucket, { history: 1 });
}
