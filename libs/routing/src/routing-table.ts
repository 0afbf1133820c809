import type { EndpointHealth, RouteCandidate, RoutingModel, RoutingSnapshot } from "@switchboard/contracts";

/** A routing snapshot indexed for lookups on the request path: models by id, endpoints by id, health by endpoint id. */
export interface RoutingTable {
  readonly models: ReadonlyMap<string, RoutingModel>;
  readonly endpoints: ReadonlyMap<string, RouteCandidate>;
  readonly health: ReadonlyMap<string, EndpointHealth>;
  /** The smallest context window of any chat endpoint (0 without endpoints): a chat request within it needs no context check. */
  readonly smallestContextLength: number;
}

/** Indexes a snapshot once, when it arrives, so ranking a request does no scan of the catalog. */
export function createRoutingTable(snapshot: Pick<RoutingSnapshot, "models" | "health">): RoutingTable {
  const models = new Map<string, RoutingModel>();
  const endpoints = new Map<string, RouteCandidate>();
  let smallestContextLength = Infinity;
  for (const model of snapshot.models) {
    models.set(model.id, model);
    // An embedding model's window limits each input, and no chat request routes to it: a small one must
    // not make every chat request pay for a context check.
    const chatModel = !model.outputModalities.includes("embeddings");
    for (const endpoint of model.endpoints) {
      endpoints.set(endpoint.endpointId, endpoint);
      if (chatModel) smallestContextLength = Math.min(smallestContextLength, endpoint.contextLength);
    }
  }
  return {
    models,
    endpoints,
    health: new Map(Object.entries(snapshot.health ?? {})),
    smallestContextLength: Number.isFinite(smallestContextLength) ? smallestContextLength : 0,
  };
}
