import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { createInbox, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { createSubjects, type RouteCandidate } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProviderConnector, type ProviderConnector } from "../../../services/provider-connector/src/start-provider-connector.js";
import { startFakeUpstream, type FakeUpstream } from "../../fake-upstream/fake-upstream.js";
import { deleteRoutingBucket, publishTestRoutingSnapshot } from "../../support/routing-snapshot.js";
import { testLogger } from "../../support/silent-logger.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";

/** What an attacker wants: a secret from the connector's environment, sent to a host of their choosing. */
const secret = "postgres://switchboard:not-for-your-eyes-7f3a@db.internal/ledger";
const connectorEnvironment: Record<string, string> = { FAKE_API_KEY: "sk-catalog-key", DATABASE_URL: secret, FORGED_SECRET: secret };

/**
 * Issue 7, "the connector trusts nothing in a message": anyone who can publish on the bus tries to make
 * the connector read a variable of their choosing and send it to a listener of their choosing. The
 * connector only resolves endpoint ids in its own routing snapshot, so nothing reaches the listener and
 * no reply or part carries the secret.
 */
describe("provider connector: forged generate messages", () => {
  const subjects = createSubjects(uniqueNamespace("forged"));
  let fakeUpstream: FakeUpstream;
  let listener: Server;
  let listenerUrl: string;
  let connectionsToListener = 0;
  let connectorConnection: NatsConnection;
  let attackerConnection: NatsConnection;
  let connector: ProviderConnector;
  let catalogEndpoint: RouteCandidate;

  beforeAll(async () => {
    fakeUpstream = await startFakeUpstream();
    listener = createServer((_request, response) => response.end("{}"));
    listener.on("connection", () => (connectionsToListener += 1));
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/v1`;
    catalogEndpoint = {
      endpointId: "fake/echo@fake",
      modelId: "fake/echo",
      providerId: "fake",
      providerName: "Fake",
      api: "openai",
      baseUrl: fakeUpstream.url,
      apiKeyEnv: "FAKE_API_KEY",
      upstreamModel: "fake-model-1",
      price: { promptPicosPerToken: "1", completionPicosPerToken: "1" },
      contextLength: 8_192,
      maxCompletionTokens: 1_024,
      supportedParameters: [],
      dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: true },
    };
    connectorConnection = await connectTestNats("provider-connector-under-attack");
    attackerConnection = await connectTestNats("attacker");
    await publishTestRoutingSnapshot(attackerConnection, subjects, [catalogEndpoint]);
    connector = await startProviderConnector({
      connection: connectorConnection,
      subjects,
      logger: testLogger("provider-connector"),
      resolveApiKey: (name) => connectorEnvironment[name],
      shutdownGraceMs: 500,
    });
  });

  afterAll(async () => {
    await connector?.stop();
    await connectorConnection?.drain();
    if (attackerConnection) await deleteRoutingBucket(attackerConnection, subjects);
    await attackerConnection?.drain();
    await fakeUpstream?.close();
    await new Promise((resolve) => listener?.close(resolve));
  });

  /**
   * Publishes a message as-is, with a reply subject of its own beside the `replyTo` it names, and collects
   * the reply (a refusal; a connector that takes the request answers with parts only) and anything sent to
   * `replyTo`, until a little after the first of either.
   */
  async function send(message: Record<string, unknown>): Promise<{ reply: Msg | undefined; parts: string[] }> {
    const inbox = createInbox();
    const replyInbox = createInbox();
    const parts: string[] = [];
    let reply: Msg | undefined;
    let heard: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (heard = resolve));
    const subscriptions = [
      attackerConnection.subscribe(inbox, {
        callback: (_error, part) => {
          parts.push(part.string());
          heard();
        },
      }),
      attackerConnection.subscribe(replyInbox, {
        callback: (_error, answer) => {
          reply = answer;
          heard();
        },
      }),
    ];
    try {
      attackerConnection.publish(subjects.connectorGenerate, JSON.stringify({ replyTo: inbox, ...message }), { reply: replyInbox });
      await Promise.race([first, sleep(2_000)]);
      await sleep(300);
      return { reply, parts };
    } finally {
      for (const subscription of subscriptions) subscription.unsubscribe();
    }
  }

  const base = () => ({
    generationId: `gen-forged-${Date.now()}-${Math.random()}`,
    body: { model: "fake/echo", messages: [{ role: "user", content: "forged" }] },
    stream: false,
    maxCompletionTokens: 16,
  });

  function everything(result: { reply: Msg | undefined; parts: string[] }): string {
    const { reply } = result;
    const headers = reply?.headers ? [...reply.headers.keys()].map((key) => `${key}: ${reply.headers?.get(key)}`) : [];
    return [reply?.string() ?? "", ...headers, ...result.parts].join("\n");
  }

  it("the listener is reachable, so silence below means the connector never called it", async () => {
    await fetch(`${listenerUrl}/chat/completions`, { method: "POST", body: "{}" });
    expect(connectionsToListener).toBe(1);
    connectionsToListener = 0;
  });

  it("refuses an endpoint id its catalog does not have, in the reply, not retryable, publishing no part", async () => {
    const result = await send({ ...base(), endpointId: "attacker/model@listener" });
    expect(JSON.parse(result.reply?.string() ?? "null")).toMatchObject({ code: "invalid_request", status: 400, retryable: false });
    expect(result.reply?.string()).toContain("attacker/model@listener");
    expect(result.parts).toEqual([]);
    expect(everything(result)).not.toContain(secret);
  });

  it("refuses a catalog endpoint id carrying its own baseUrl and apiKeyEnv, and the old whole-candidate message", async () => {
    const forgeries = [
      { ...base(), endpointId: catalogEndpoint.endpointId, baseUrl: listenerUrl, apiKeyEnv: "DATABASE_URL" },
      { ...base(), endpointId: catalogEndpoint.endpointId, candidate: { ...catalogEndpoint, baseUrl: listenerUrl, apiKeyEnv: "FORGED_SECRET" } },
      { ...base(), candidate: { ...catalogEndpoint, baseUrl: listenerUrl, apiKeyEnv: "DATABASE_URL" } },
      { ...base(), endpointId: "attacker/model@listener", baseUrl: listenerUrl, apiKeyEnv: "DATABASE_URL", upstreamModel: "x", api: "openai" },
    ];
    for (const forgery of forgeries) {
      const result = await send(forgery);
      expect(JSON.parse(result.reply?.string() ?? "null")).toMatchObject({ code: "invalid_request", status: 400 });
      expect(result.parts).toEqual([]);
      expect(everything(result)).not.toContain(secret);
    }
  });

  it("sends nothing to the listener and no secret to anyone, while a genuine message still works with the catalog's key", async () => {
    const genuine = await send({ ...base(), endpointId: catalogEndpoint.endpointId, body: { model: "fake/echo", messages: [{ role: "user", content: "genuine" }] } });
    // Taken: no reply, the first part (the connector's start) says so.
    expect(genuine.reply).toBeUndefined();
    // Part 0 may travel alone or, when the answer is quick, first in one message with the rest.
    expect([JSON.parse(genuine.parts[0] ?? "null")].flat()[0]).toEqual({ type: "stream-start", seq: 0, upstreamId: null });
    expect(genuine.parts.some((part) => part.includes('"stream-end"'))).toBe(true);
    expect(everything(genuine)).not.toContain(secret);

    expect(connectionsToListener).toBe(0);
    expect(fakeUpstream.requests.map((request) => request.headers["authorization"])).toEqual(["Bearer sk-catalog-key"]);
    expect(JSON.stringify(fakeUpstream.requests)).not.toContain(secret);
  });
});
