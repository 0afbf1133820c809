import { SwitchboardError, type RouteCandidate } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { EndpointDirectory } from "./endpoint-directory.js";

const endpoint: RouteCandidate = {
  endpointId: "acme/one@alpha",
  modelId: "acme/one",
  providerId: "alpha",
  providerName: "Alpha",
  api: "openai",
  baseUrl: "http://alpha.test/v1",
  apiKeyEnv: "ALPHA_API_KEY",
  upstreamModel: "one-a",
  price: { promptPicosPerToken: "1", completionPicosPerToken: "1" },
  contextLength: 1_000,
  maxCompletionTokens: null,
  supportedParameters: [],
  dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: false },
};

function failureOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof SwitchboardError) return error.error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("EndpointDirectory", () => {
  const directory = new EndpointDirectory();

  it("refuses with a retryable 503 before the first snapshot", () => {
    expect(failureOf(() => directory.resolve(endpoint.endpointId))).toMatchObject({ status: 503, retryable: true });
  });

  it("resolves an endpoint id from the snapshot, and refuses an unknown one for good", () => {
    directory.apply({
      revision: 7,
      snapshot: {
        version: 1,
        loadedAt: "2026-01-01T00:00:00.000Z",
        publishedAt: "2026-01-01T00:00:00.000Z",
        models: [{ id: "acme/one", name: "One", description: "", contextLength: 1_000, inputModalities: ["text"], outputModalities: ["text"], endpoints: [endpoint], unconfiguredProviders: [] }],
      },
    });
    expect(directory.resolve("acme/one@alpha")).toEqual(endpoint);
    const refusal = failureOf(() => directory.resolve("acme/one@evil\r\n"));
    expect(refusal).toMatchObject({ status: 400, code: "invalid_request", retryable: false });
    expect(refusal.message).toContain("revision 7");
    expect(refusal.message).not.toMatch(/[\r\n]/);
  });
});
