import { randomUUID } from "node:crypto";
import { createInbox, type NatsConnection } from "@nats-io/transport-node";
import { reserveReplySchema, streamPartsMessageSchema, type GenerateRequest, type RouteCandidate, type StreamPart } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OutstandingFacts } from "../../../services/ingress/src/generation/outstanding-facts.js";
import { publishIngressHeartbeat } from "../../../services/ingress/src/generation/publish-ingress-heartbeat.js";
import { startProviderConnector, type ProviderConnector } from "../../../services/provider-connector/src/start-provider-connector.js";
import { startFakeUpstream, type FakeUpstream } from "../../fake-upstream/fake-upstream.js";
import { deleteRoutingBucket, publishTestRoutingSnapshot } from "../../support/routing-snapshot.js";
import { testLogger } from "../../support/silent-logger.js";
import { connectTestNats } from "../../support/test-nats.js";
import { findLedgerViolations, startBillingUnderTest, waitFor, type BillingUnderTest } from "../billing/billing-test-kit.js";
import { createFundedKey } from "../billing/funded-key.js";

const endpointId = "fake/echo@fake";
const ingressSilenceMs = 1_000;

function fakeCandidate(baseUrl: string): RouteCandidate {
  return {
    endpointId,
    modelId: "fake/echo",
    providerId: "fake",
    providerName: "Fake",
    api: "openai",
    baseUrl,
    apiKeyEnv: "FAKE_API_KEY",
    upstreamModel: "fake-model-1",
    price: { promptPicosPerToken: "1000000", completionPicosPerToken: "2000000" },
    contextLength: 8_192,
    maxCompletionTokens: 1_024,
    supportedParameters: ["max_tokens"],
    dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: true },
  };
}

/**
 * Issue 10: the connector stops the upstream call of an ingress replica that went silent, and billing
 * charges what was produced from the connector's usage report. The test plays the ingress replica (its
 * heartbeat and its inbox); the connector, billing and the fake provider are real.
 */
describe("provider connector: an ingress that goes silent", () => {
  let harness: BillingUnderTest;
  let fakeUpstream: FakeUpstream;
  let connectorConnection: NatsConnection;
  let ingressConnection: NatsConnection;
  let connector: ProviderConnector;

  beforeAll(async () => {
    harness = await startBillingUnderTest({ usageReportGraceSeconds: 0.5 });
    fakeUpstream = await startFakeUpstream();
    connectorConnection = await connectTestNats("connector-silence-test");
    ingressConnection = await connectTestNats("ingress-stand-in");
    await publishTestRoutingSnapshot(ingressConnection, harness.subjects, [fakeCandidate(fakeUpstream.url)]);
    connector = await startProviderConnector({
      connection: connectorConnection,
      subjects: harness.subjects,
      logger: testLogger("provider-connector"),
      resolveApiKey: (name) => (name === "FAKE_API_KEY" ? "sk-test" : undefined),
      shutdownGraceMs: 1_000,
      ingressSilenceMs,
    });
  });
  afterAll(async () => {
    await connector?.stop();
    await connectorConnection?.drain();
    if (ingressConnection) await deleteRoutingBucket(ingressConnection, harness.subjects);
    await ingressConnection?.drain();
    await fakeUpstream?.close();
    await harness?.stop();
  });

  /** Reserves like ingress, then asks the connector to generate into an inbox, as replica `ingressId`. */
  async function generate(userText: string, ingressId: string, onPart: (part: StreamPart) => void, factSequence?: number) {
    const { accountId, keyId } = await createFundedKey(harness.database, 1_000_000);
    const generationId = `gen-${randomUUID()}`;
    await harness.request(harness.subjects.billingReserve, { generationId, accountId, keyId, amountMicros: 100_000 }, reserveReplySchema);
    const inbox = createInbox();
    const parts: StreamPart[] = [];
    ingressConnection.subscribe(inbox, {
      callback: (_error, message) => {
        for (const part of streamPartsMessageSchema.parse(message.json())) {
          parts.push(part);
          onPart(part);
        }
      },
    });
    const request: GenerateRequest = {
      generationId,
      endpointId,
      body: { model: "fake/echo", messages: [{ role: "user", content: userText }], stream: true },
      stream: true,
      maxCompletionTokens: 1_000,
      replyTo: inbox,
      origin: { ingressId, accountId, keyId, attempt: 0, ...(factSequence === undefined ? {} : { factSequence }) },
    };
    ingressConnection.publish(harness.subjects.connectorGenerate, JSON.stringify(request), { reply: inbox });
    return { generationId, accountId, parts };
  }
  const chargesOf = (generationId: string) =>
    harness.database.selectFrom("ledger_entries").selectAll().where("generation_id", "=", generationId).where("kind", "=", "charge").execute();
  const upstreamRequest = (userText: string) => fakeUpstream.requests.find((request) => JSON.stringify(request.body["messages"]).includes(userText));

  it("stops the upstream stream within a few seconds of the last heartbeat, and charges what was produced, once", async () => {
    fakeUpstream.addRule("long-story", { text: Array.from({ length: 400 }, (_, index) => `word${index}`).join(" "), delayBetweenChunksMs: 25 });
    const ingressId = `ingress-test-${randomUUID()}`;
    const stopHeartbeat = publishIngressHeartbeat({ connection: ingressConnection, subjects: harness.subjects, ingressId, intervalMs: 100 });
    let silentFrom = 0;
    const generation = await generate("long-story", ingressId, (part) => {
      // The replica dies once the answer is under way: no heartbeat, nobody reading the inbox.
      if (part.type === "text-delta" && silentFrom === 0) {
        silentFrom = Date.now();
        stopHeartbeat();
      }
    });
    await vi.waitFor(() => expect(upstreamRequest("long-story")?.closedAt).toBeTypeOf("number"), { timeout: 5_000, interval: 50 });
    const upstream = upstreamRequest("long-story")!;
    expect(upstream.completed).toBe(false);
    const stoppedAfterMs = upstream.closedAt! - silentFrom;
    expect(stoppedAfterMs).toBeGreaterThanOrEqual(ingressSilenceMs - 150);
    expect(stoppedAfterMs).toBeLessThan(ingressSilenceMs + 1_500);

    // What was produced is charged from the connector's report once its grace period is over.
    await waitFor(async () => (await chargesOf(generation.generationId)).length === 1);
    const report = await harness.database.selectFrom("connector_usage_reports").selectAll().where("generation_id", "=", generation.generationId).executeTakeFirstOrThrow();
    expect(report.report).toMatchObject({ outcome: "aborted", ingressSilent: true, usageEstimated: true });
    const produced = generation.parts.filter((part) => part.type === "text-delta").length;
    expect(produced).toBeGreaterThan(0);
    const [charge] = await chargesOf(generation.generationId);
    expect(-charge!.amount_micros).toBe(report.cost_micros);
    expect(report.cost_micros).toBeGreaterThan(0);
    const reservation = await harness.database.selectFrom("reservations").selectAll().where("generation_id", "=", generation.generationId).executeTakeFirstOrThrow();
    expect(reservation).toMatchObject({ status: "settled", charged_micros: report.cost_micros });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  const reportOf = (generationId: string) => harness.database.selectFrom("connector_usage_reports").selectAll().where("generation_id", "=", generationId).executeTakeFirst();

  it("publishes no report of a generation whose fact its ingress says is stored (issue 10: nothing durable per generation)", async () => {
    fakeUpstream.addRule("vouched-story", { text: "a short answer" });
    const ingressId = `ingress-test-${randomUUID()}`;
    const outstandingFacts = new OutstandingFacts();
    const stopHeartbeat = publishIngressHeartbeat({ connection: ingressConnection, subjects: harness.subjects, ingressId, outstandingFacts, intervalMs: 100 });
    const sequence = outstandingFacts.open();
    const generation = await generate("vouched-story", ingressId, () => undefined, sequence);
    await vi.waitFor(() => expect(generation.parts.at(-1)?.type).toBe("stream-end"), { timeout: 5_000, interval: 20 });
    // Ingress stored its fact (played here by giving the number back); the next beats vouch for it.
    outstandingFacts.close(sequence);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Then the replica dies: a report still held would now be published (the next test), and stored.
    stopHeartbeat();
    await new Promise((resolve) => setTimeout(resolve, ingressSilenceMs + 1_500));
    expect(await reportOf(generation.generationId)).toBeUndefined();
    expect(await chargesOf(generation.generationId)).toEqual([]);
  });

  it("publishes the held report once an ingress dies after its answer but before it stored the fact, and it is charged", async () => {
    fakeUpstream.addRule("orphaned-story", { text: "an answer whose fact was never stored" });
    const ingressId = `ingress-test-${randomUUID()}`;
    const outstandingFacts = new OutstandingFacts();
    const stopHeartbeat = publishIngressHeartbeat({ connection: ingressConnection, subjects: harness.subjects, ingressId, outstandingFacts, intervalMs: 100 });
    const generation = await generate("orphaned-story", ingressId, () => undefined, outstandingFacts.open());
    await vi.waitFor(() => expect(generation.parts.at(-1)?.type).toBe("stream-end"), { timeout: 5_000, interval: 20 });
    // Beats go on a while, never vouching: the report stays held.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await reportOf(generation.generationId)).toBeUndefined();
    // The replica dies.
    stopHeartbeat();
    await waitFor(async () => (await chargesOf(generation.generationId)).length === 1, 10_000);
    const report = await reportOf(generation.generationId);
    expect(report?.report).toMatchObject({ outcome: "completed", ingressSilent: false, usageEstimated: false });
    const [charge] = await chargesOf(generation.generationId);
    expect(-charge!.amount_micros).toBe(report?.cost_micros);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("lets the answer of an ingress that keeps beating run to its end", async () => {
    fakeUpstream.addRule("steady-story", { text: Array.from({ length: 60 }, (_, index) => `word${index}`).join(" "), delayBetweenChunksMs: 40 });
    const ingressId = `ingress-test-${randomUUID()}`;
    const stopHeartbeat = publishIngressHeartbeat({ connection: ingressConnection, subjects: harness.subjects, ingressId, intervalMs: 100 });
    try {
      const generation = await generate("steady-story", ingressId, () => undefined);
      await vi.waitFor(() => expect(generation.parts.at(-1)?.type).toBe("stream-end"), { timeout: 8_000, interval: 50 });
      expect(upstreamRequest("steady-story")?.completed).toBe(true);
      // A completed answer is reported too (ingress might die right after it); with no fact, it is charged from it.
      await waitFor(async () => (await chargesOf(generation.generationId)).length === 1);
      const report = await harness.database.selectFrom("connector_usage_reports").selectAll().where("generation_id", "=", generation.generationId).executeTakeFirstOrThrow();
      expect(report.report).toMatchObject({ outcome: "completed", ingressSilent: false, usageEstimated: false, finishReason: "stop" });
    } finally {
      stopHeartbeat();
    }
  });
});
