import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";

/**
 * Opens the routing KV bucket, creating it when absent. The router, ingress and the connector may start
 * in any order, so every one of them may create it; only the router ever puts into it. One revision per
 * key is kept: readers want the latest snapshot, and a restarted router simply publishes again. File
 * storage, so the last snapshot survives a NATS restart and a router that is down.
 */
export async function openRoutingBucket(connection: NatsConnection, subjects: Subjects): Promise<KV> {
  return new Kvm(connection).create(subjects.routingBucket, { history: 1 });
}
