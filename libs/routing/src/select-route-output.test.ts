import { endpointFilterReasons, SwitchboardError, type RouteCandidate, type RoutingModel } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { modelAEndpoint } from "./model-a-endpoint.test-support.js";
import { createRoutingTable } from "./routing-table.js";
import { selectRoute } from "./select-route.js";

function model(id: string, outputModalities: string[], contextLength: number, endpoints: RouteCandidate[]): RoutingModel {
  return { id, name: id, description: "", contextLength, inputModalities: ["text"], outputModalities, endpoints, unconfiguredProviders: [] };
}

const chatEndpoint = modelAEndpoint("chat", "1000000", "2000000", { contextLength: 100_000 });
const embeddingEndpoint = modelAEndpoint("embed", "20000", "0", { endpointId: "vendor/embed@embed", modelId: "vendor/embed", contextLength: 2048 });
const table = createRoutingTable({
  models: [model("vendor/model-a", ["text"], 100_000, [chatEndpoint]), model("vendor/embed", ["embeddings"], 2048, [embeddingEndpoint])],
});

function refusalOf(action: () => unknown): SwitchboardError {
  try {
    action();
  } catch (error) {
    if (error instanceof SwitchboardError) return error;
    throw error;
  }
  throw new Error("routed");
}

describe("routing by what a request produces", () => {
  it("routes embeddings only to embedding models and chat only to the others", () => {
    expect(selectRoute(table, { models: ["vendor/embed"], output: "embeddings" }).candidates).toEqual([embeddingEndpoint]);
    expect(selectRoute(table, { models: ["vendor/model-a"] }).candidates).toEqual([chatEndpoint]);
  });

  it("refuses chat on an embedding model and embeddings on a chat model with a 404 saying why", () => {
    const chat = refusalOf(() => selectRoute(table, { models: ["vendor/embed"] }));
    expect(chat.error).toMatchObject({ status: 404, metadata: { excluded_by: [endpointFilterReasons.outputModalities] } });
    expect(chat.error.message).toContain('"vendor/embed" is an embedding model');
    const embeddings = refusalOf(() => selectRoute(table, { models: ["vendor/model-a"], output: "embeddings" }));
    expect(embeddings.error.message).toContain('"vendor/model-a" is not an embedding model');
  });

  it("leaves embedding models out of the smallest context window, so chat requests skip the context check as before", () => {
    expect(table.smallestContextLength).toBe(100_000);
  });
});
