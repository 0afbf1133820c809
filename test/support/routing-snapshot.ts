import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RouteCandidate, RoutingSnapshot, Subjects } from "@switchboard/contracts";
import { publishRoutingSnapshot } from "@switchboard/messaging";

/** A routing snapshot listing exactly these endpoints, one model per distinct model id. */
export function routingSnapshotOf(endpoints: RouteCandidate[]): RoutingSnapshot {
  const modelIds = [...new Set(endpoints.map((endpoint) => endpoint.modelId))];
  const now = new Date().toISOString();
  return {
    version: 1,
    loadedAt: now,
    publishedAt: now,
    models: modelIds.map((id) => ({
      id,
      name: id,
      description: "",
      contextLength: 8_192,
      inputModalities: ["text"],
      outputModalities: ["text"],
      endpoints: endpoints.filter((endpoint) => endpoint.modelId === id),
      unconfiguredProviders: [],
    })),
  };
}

/** Plays the router for a test without one: publishes these endpoints as the routing snapshot. */
export function publishTestRoutingSnapshot(connection: NatsConnection, subjects: Subjects, endpoints: RouteCandidate[]): Promise<number> {
  return publishRoutingSnapshot(connection, subjects, routingSnapshotOf(endpoints));
}

/** The NATS server is shared with other runs: a test leaves no bucket behind (a KV bucket is the stream KV_<bucket>). */
export async function deleteRoutingBucket(connection: NatsConnection, subjects: Subjects): Promise<void> {
  await (await jetstreamManager(connection)).streams.delete(`KV_${subjects.routingBucket}`).catch(() => undefined);
}
