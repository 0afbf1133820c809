import type { NatsConnection } from "@nats-io/transport-node";
import { createSubjects, generateRequestSchema, type ChatRequest, type RouteCandidate, type Subjects } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Generation } from "../../../services/ingress/src/generation/generation.js";
import { createServiceClients, type ServiceClients } from "../../../services/ingress/src/plugins/service-clients.js";
import type { LocalRouting } from "../../../services/ingress/src/routing/local-routing.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";

/** Two endpoints of one model: the connector replica behind `silent` takes nothing and hangs. */
function endpoint(providerId: string): RouteCandidate {
  return {
    endpointId: `test/model@${providerId}`,
    modelId: "test/model",
    providerId,
    providerName: providerId,
    api: "openai",
    baseUrl: "http://upstream.invalid/v1",
    apiKeyEnv: null,
    upstreamModel: "model",
    price: { promptPicosPerToken: "0", completionPicosPerToken: "1000000" },
    contextLength: 8_000,
    maxCompletionTokens: 100,
    supportedParameters: [],
    dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: false },
  };
}
const silent = endpoint("silent");
const working = endpoint("working");
const key = { keyId: "key-1", keyHash: "0".repeat(64), accountId: "account-1", name: "test" };
const request = { model: "test/model", messages: [{ role: "user", content: "hi" }], stream: false } as ChatRequest;

/** Subscriptions the client holds on a connection (nats.js keeps them in its protocol handler). */
function subscriptionCount(connection: NatsConnection): number {
  return (connection as unknown as { protocol: { subscriptions: { size(): number } } }).protocol.subscriptions.size();
}

/**
 * A connector stand-in on the real queue group: takes every request for `working` with part 0 at once
 * and answers `answerDelayMs` later; ignores requests for any other endpoint, as a hung replica would.
 */
function standInConnector(connection: NatsConnection, subjects: Subjects, answerDelayMs: number) {
  return connection.subscribe(subjects.connectorGenerate, {
    queue: subjects.queueGroup("connector"),
    callback: (_error, message) => {
      const generate = generateRequestSchema.parse(message.json());
      if (generate.endpointId !== working.endpointId) return;
      connection.publish(generate.replyTo, JSON.stringify({ type: "stream-start", seq: 0, upstreamId: null }));
      setTimeout(() => {
        connection.publish(
          generate.replyTo,
          JSON.stringify([
            { type: "stream-start", seq: 1, upstreamId: "up-1" },
            { type: "text-delta", seq: 2, text: "Hello" },
            { type: "finish", seq: 3, finishReason: "stop", nativeFinishReason: "stop" },
            { type: "stream-end", seq: 4 },
          ]),
        );
      }, answerDelayMs);
    },
  });
}

/** Ingress's service clients on a real connection; billing holds anything, facts go nowhere. */
function ingressClients(connection: NatsConnection, subjects: Subjects, requestTimeoutMs: number): ServiceClients {
  const publisher = { publish: async () => undefined } as unknown as Parameters<typeof createServiceClients>[2];
  return {
    ...createServiceClients(connection, subjects, publisher, requestTimeoutMs),
    request: (async (_subject: string, payload: { amountMicros: number }) => ({ amountMicros: payload.amountMicros })) as ServiceClients["request"],
  };
}

function generationFor(clients: ServiceClients, candidates: RouteCandidate[]): Generation {
  const routing = { route: () => ({ candidates, skipped: [] }), smallestContextLength: () => 0 } as unknown as LocalRouting;
  return new Generation({ clients, routing, idleTimeoutMs: 10_000, maximumDurationMs: 30_000, shutdownSignal: new AbortController().signal, key, request, promptBytes: 10, leases: null });
}

async function complete(generation: Generation): Promise<string> {
  try {
    await generation.prepare();
    await generation.connect(new AbortController().signal);
    for await (const part of generation.parts(new AbortController().signal)) void part;
    return generation.accumulator.text;
  } finally {
    generation.dispose();
  }
}

/** Issue 7: the connector starts without ingress waiting for a reply; one inbox subscription per ingress. */
describe("generation attempts over NATS", () => {
  const subjects = createSubjects(uniqueNamespace("attempts"));
  let ingressConnection: NatsConnection;
  let connectorConnection: NatsConnection;

  beforeAll(async () => {
    ingressConnection = await connectTestNats("ingress-under-test");
    connectorConnection = await connectTestNats("connector-stand-in");
    standInConnector(connectorConnection, subjects, 200);
    await connectorConnection.flush();
  });

  afterAll(async () => {
    await ingressConnection?.close();
    await connectorConnection?.close();
  });

  it("falls back from a connector that never takes the request once the acceptance timeout passes, and cancels it", async () => {
    const clients = ingressClients(ingressConnection, subjects, 300);
    const generation = generationFor(clients, [silent, working]);
    const cancels: string[] = [];
    connectorConnection.subscribe(subjects.connectorCancel(generation.id), { callback: (_error, message) => void cancels.push(message.subject) });
    await connectorConnection.flush();
    await generation.prepare();
    const startedAt = performance.now();
    await generation.connect(new AbortController().signal);
    const waitedMs = performance.now() - startedAt;
    expect(waitedMs).toBeGreaterThanOrEqual(290);
    expect(waitedMs).toBeLessThan(1_000);
    expect(generation.candidate?.endpointId).toBe(working.endpointId);
    expect(generation.attempts.map((attempt) => [attempt.endpointId, attempt.status])).toEqual([
      [silent.endpointId, 503],
      [working.endpointId, 200],
    ]);
    await connectorConnection.flush();
    await ingressConnection.flush();
    expect(cancels).toHaveLength(1);
    generation.dispose();
  });

  it("answers a retryable 503 at once when no connector runs at all, not after the acceptance timeout", async () => {
    const nobody = createSubjects(uniqueNamespace("no-connector"));
    const generation = generationFor(ingressClients(ingressConnection, nobody, 5_000), [working]);
    await generation.prepare();
    const startedAt = performance.now();
    await expect(generation.connect(new AbortController().signal)).rejects.toMatchObject({
      error: { status: 503, code: "service_unavailable", retryable: true, message: expect.stringMatching(/not running/) },
    });
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    generation.dispose();
  });

  it("reads 100 concurrent generations through one inbox subscription", async () => {
    const clients = ingressClients(ingressConnection, subjects, 2_000);
    // The first generation of this ingress makes the inbox subscription.
    expect(await complete(generationFor(clients, [working]))).toBe("Hello");
    const before = subscriptionCount(ingressConnection);
    const running = Array.from({ length: 100 }, () => complete(generationFor(clients, [working])));
    // The stand-in answers 200 ms after taking each request: all 100 are reading at once by then.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(clients.inbox.size).toBe(100);
    expect(subscriptionCount(ingressConnection)).toBe(before);
    expect(await Promise.all(running)).toEqual(Array.from({ length: 100 }, () => "Hello"));
    expect(clients.inbox.size).toBe(0);
    expect(subscriptionCount(ingressConnection)).toBe(before);
  });
});
