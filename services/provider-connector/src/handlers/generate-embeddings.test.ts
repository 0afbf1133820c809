import { streamPartsMessageSchema, type EmbeddingsGenerateRequest, type RouteCandidate, type StreamPart } from "@switchboard/contracts";
import { createLogger } from "@switchboard/telemetry";
import { describe, expect, it } from "vitest";
import { providerRegistry } from "../providers/registry.js";
import type { UpstreamHttpRequest, UpstreamTransport } from "../transport/upstream-transport.js";
import { AttemptRegistry } from "./attempt-registry.js";
import { EndpointDirectory } from "./endpoint-directory.js";
import { createGenerateHandler } from "./generate.js";
import { InFlightGenerations } from "./in-flight-generations.js";

/** A transport answering every call with `status` and `body`. */
function stubTransport(status: number, body: string) {
  const sent: UpstreamHttpRequest[] = [];
  const transport: UpstreamTransport = {
    async send(request) {
      sent.push(request);
      const bytes = new TextEncoder().encode(body);
      return {
        status,
        headers: {},
        body: {
          async *[Symbol.asyncIterator]() {
            yield bytes;
          },
          text: async () => body,
          destroy: () => undefined,
        },
      };
    },
    close: async () => undefined,
  };
  return { transport, sent };
}

const baseCandidate: RouteCandidate = {
  endpointId: "vendor/embed@provider",
  modelId: "vendor/embed",
  providerId: "provider",
  providerName: "Acme",
  api: "openai",
  baseUrl: "http://upstream.invalid/v1",
  apiKeyEnv: "ACME_API_KEY",
  upstreamModel: "embed-1",
  price: { promptPicosPerToken: "20000", completionPicosPerToken: "0" },
  contextLength: 8192,
  maxCompletionTokens: null,
  supportedParameters: ["dimensions"],
  dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: false },
};

/** Runs one embeddings attempt through the handler; the published messages, one entry per NATS message. */
async function runEmbeddings(transport: UpstreamTransport, body: EmbeddingsGenerateRequest["body"], candidate: RouteCandidate = baseCandidate): Promise<StreamPart[][]> {
  const messages: StreamPart[][] = [];
  const directory = new EndpointDirectory();
  directory.apply({
    revision: 1,
    snapshot: {
      version: 1,
      loadedAt: "2026-01-01T00:00:00.000Z",
      publishedAt: "2026-01-01T00:00:00.000Z",
      models: [{ id: candidate.modelId, name: "Embed", description: "", contextLength: 8192, inputModalities: ["text"], outputModalities: ["embeddings"], endpoints: [candidate], unconfiguredProviders: [] }],
    },
  });
  const inFlight = new InFlightGenerations((error) => {
    throw error;
  });
  const handler = createGenerateHandler({
    connection: { publish: (_subject, payload) => void messages.push(streamPartsMessageSchema.parse(JSON.parse(String(payload)))) },
    transport,
    registry: providerRegistry,
    endpoints: directory,
    resolveApiKey: () => "sk-acme",
    inFlight,
    attempts: new AttemptRegistry(),
    logger: createLogger("provider-connector-test", "silent"),
    heartbeatIntervalMs: 60_000,
    acknowledgementDelayMs: 0,
    outcomes: { record: () => undefined },
  });
  await handler({ operation: "embeddings", generationId: "gen-unit", endpointId: candidate.endpointId, body, replyTo: "_INBOX.unit" });
  expect(await inFlight.waitUntilIdle(2_000)).toBe(true);
  return messages;
}

describe("generate handler, embeddings attempts", () => {
  it("calls the embeddings API once and publishes one vector per message, then usage with the end", async () => {
    const { transport, sent } = stubTransport(
      200,
      JSON.stringify({ object: "list", data: [{ index: 0, embedding: [0.5, 1] }, { index: 1, embedding: [-1, 0] }], usage: { prompt_tokens: 4, total_tokens: 4 } }),
    );
    const messages = await runEmbeddings(transport, { model: "vendor/embed", input: ["a", "b"], dimensions: 2 });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe("http://upstream.invalid/v1/embeddings");
    expect(JSON.parse(sent[0]!.body)).toEqual({ model: "embed-1", input: ["a", "b"], encoding_format: "float", dimensions: 2 });
    expect(messages.map((message) => message.map((part) => part.type))).toEqual([["stream-start"], ["stream-start"], ["embedding"], ["embedding"], ["usage", "stream-end"]]);
    expect(messages.flat().filter((part) => part.type === "embedding")).toEqual([
      { type: "embedding", seq: 2, index: 0, embedding: [0.5, 1] },
      { type: "embedding", seq: 3, index: 1, embedding: [-1, 0] },
    ]);
    expect(messages.at(-1)?.[0]).toMatchObject({ type: "usage", usage: { promptTokens: 4, completionTokens: 0 } });
  });

  it("drops dimensions an endpoint does not list, naming it on the provider's stream-start", async () => {
    const { transport, sent } = stubTransport(200, JSON.stringify({ data: [{ index: 0, embedding: [1] }] }));
    const messages = await runEmbeddings(transport, { model: "vendor/embed", input: "a", dimensions: 2 }, { ...baseCandidate, supportedParameters: ["user"] });
    expect(JSON.parse(sent[0]!.body)).not.toHaveProperty("dimensions");
    expect(messages[1]?.[0]).toMatchObject({ type: "stream-start", warnings: [{ type: "unsupported-parameter", parameter: "dimensions" }] });
    // No token count from the provider: no usage part, ingress estimates.
    expect(messages.at(-1)?.map((part) => part.type)).toEqual(["stream-end"]);
  });

  it("signs a Bedrock endpoint's call for the catalog's region, at base_url as given", async () => {
    const { transport, sent } = stubTransport(200, JSON.stringify({ embedding: [0.5, 1], inputTextTokenCount: 1 }));
    const bedrock: RouteCandidate = { ...baseCandidate, api: "bedrock", baseUrl: "http://bedrock-proxy.invalid", region: "eu-north-1", upstreamModel: "amazon.titan-embed-text-v2:0" };
    await runEmbeddings(transport, { model: "vendor/embed", input: "a" }, bedrock);
    expect(sent[0]?.url).toBe("http://bedrock-proxy.invalid/model/amazon.titan-embed-text-v2%3A0/invoke");
    expect(sent[0]?.credential).toEqual({ scheme: "signature", signer: "aws-sigv4", parameters: { region: "eu-north-1", service: "bedrock" } });
  });

  it("ends with a retryable error before any vector when the provider rate limits, or when its API has no embeddings adapter", async () => {
    const limited = await runEmbeddings(stubTransport(429, JSON.stringify({ error: { message: "Rate limit reached", type: "requests" } })).transport, { model: "vendor/embed", input: "a" });
    expect(limited.at(-1)?.at(-1)).toMatchObject({ type: "error", beforeFirstToken: true, error: { status: 429, retryable: true, metadata: { provider_name: "Acme" } } });
    const { transport, sent } = stubTransport(200, "{}");
    const unsupported = await runEmbeddings(transport, { model: "vendor/embed", input: "a" }, { ...baseCandidate, api: "anthropic" });
    expect(sent).toEqual([]);
    expect(unsupported.at(-1)?.at(-1)).toMatchObject({ type: "error", beforeFirstToken: true, error: { status: 502, retryable: true } });
  });

  it("refuses several inputs for Amazon Titan, which embeds one text per call, with a final 400 naming input, calling nothing", async () => {
    const { transport, sent } = stubTransport(200, JSON.stringify({ embedding: [1], inputTextTokenCount: 1 }));
    const titan: RouteCandidate = { ...baseCandidate, api: "bedrock", baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com", upstreamModel: "amazon.titan-embed-text-v2:0" };
    const messages = await runEmbeddings(transport, { model: "vendor/embed", input: ["a", "b"] }, titan);
    // Not N upstream calls, and not a 502 another endpoint would be tried for: the client must send one text.
    expect(sent).toEqual([]);
    expect(messages.flat().filter((part) => part.type === "embedding")).toEqual([]);
    expect(messages.at(-1)?.at(-1)).toMatchObject({
      type: "error",
      beforeFirstToken: true,
      error: { status: 400, retryable: false, code: "unsupported_parameter", metadata: expect.objectContaining({ parameter: "input" }), message: expect.stringContaining("one text per request") },
    });
  });
});
