import type { NatsConnection } from "@nats-io/transport-node";
import { createSubjects } from "@switchboard/contracts";
import { busIdentities, connectNats, NatsConnectError, type BusIdentity } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRefused, type BusAttempt } from "../../support/expect-refused.js";
import { startSecuredBus, type SecuredBus } from "../../support/secured-bus.js";
import { uniqueNamespace } from "../../support/test-nats.js";

const subjects = createSubjects(uniqueNamespace("auth"));
const inbox = (identity: BusIdentity) => `_INBOX_${subjects.namespace}_${identity}.x`;
const routingKvPut = `$KV.${subjects.routingBucket}.${subjects.routingSnapshotKey}`;
const publish = (subject: string): BusAttempt => ({ operation: "publish", subject });
const subscribe = (subject: string): BusAttempt => ({ operation: "subscribe", subject });

/**
 * Per identity, what its neighbours' subjects would let it do if the bus were open (issue 8): each of
 * these must be refused by the server itself.
 */
const forbidden: Record<BusIdentity, BusAttempt[]> = {
  [busIdentities.ingress]: [
    publish(routingKvPut),
    publish(`$JS.API.STREAM.CREATE.KV_${subjects.routingBucket}`),
    publish(`$JS.API.STREAM.DELETE.${subjects.factsStream}`),
    publish(subjects.keyChanged),
    publish(subjects.creditRecall),
    subscribe(subjects.billingGrantCredits),
    subscribe(subjects.connectorGenerate),
    subscribe(subjects.generationCompleted),
    subscribe(inbox(busIdentities.billing)),
    subscribe("_INBOX.>"),
  ],
  [busIdentities.router]: [
    publish(subjects.billingGrantCredits),
    publish(subjects.billingCreateAccount),
    publish(subjects.connectorGenerate),
    publish(subjects.generationCompleted),
    subscribe(subjects.keyChanged),
    subscribe(subjects.billingAuthenticateKey),
    publish(subjects.rateLimitCounts),
    subscribe(subjects.rateLimitCounts),
  ],
  [busIdentities.providerConnector]: [
    publish(subjects.billingGrantCredits),
    publish(subjects.billingReserve),
    publish(routingKvPut),
    publish(subjects.generationCompleted),
    publish(inbox(busIdentities.billing)),
    subscribe(`_INBOX_${subjects.namespace}_ingress.>`),
    subscribe(subjects.billingCreateKey),
  ],
  [busIdentities.billing]: [
    publish(subjects.generationCompleted),
    publish(subjects.connectorGenerate),
    publish(subjects.connectorCancel("generation-1")),
    publish(routingKvPut),
    publish(subjects.billingGrantCredits),
    subscribe(subjects.connectorGenerate),
    subscribe(subjects.routerListModels),
    publish(subjects.rateLimitCounts),
  ],
  [busIdentities.metadataLogging]: [
    publish(subjects.connectorGenerate),
    publish(subjects.connectorCancel("generation-1")),
    publish(subjects.connectorAttemptProgress),
    publish(subjects.generationCompleted),
    publish(subjects.billingGrantCredits),
    publish(`$JS.API.CONSUMER.MSG.NEXT.${subjects.factsStream}.${subjects.billingConsumer}`),
    publish(routingKvPut),
    publish(subjects.deadLetters(subjects.billingConsumer)),
    publish(`$JS.API.STREAM.DELETE.${subjects.deadLetterStream}`),
    subscribe(subjects.keyChanged),
  ],
  [busIdentities.admin]: [
    publish(subjects.billingGrantCredits),
    publish(subjects.generationCompleted),
    publish(subjects.creditRecall),
    publish(routingKvPut),
    publish(subjects.deadLetters(subjects.billingConsumer)),
    publish(`$JS.API.STREAM.PURGE.${subjects.deadLetterStream}`),
    publish(`$JS.API.STREAM.MSG.DELETE.${subjects.deadLetterStream}`),
    subscribe(subjects.keyChanged),
    subscribe(subjects.deadLettersWildcard),
    // Service discovery: it asks, the services answer; it may not pose as one.
    subscribe("$SRV.PING"),
  ],
};

/** What each identity's role needs, which the server must let through (the e2e test runs the rest). */
const needed: Record<BusIdentity, BusAttempt[]> = {
  [busIdentities.ingress]: [publish(subjects.billingGrantCredits), publish(subjects.connectorCancel("generation-1")), subscribe(subjects.keyChanged), subscribe(inbox(busIdentities.ingress))],
  [busIdentities.router]: [publish(routingKvPut), subscribe(subjects.routerRoute)],
  [busIdentities.providerConnector]: [publish(inbox(busIdentities.ingress)), subscribe(subjects.connectorCancelWildcard), subscribe(subjects.connectorAttemptProgress)],
  [busIdentities.billing]: [publish(subjects.keyChanged), publish(subjects.creditRecall), subscribe(subjects.billingGrantCredits), publish(subjects.deadLetters(subjects.billingConsumer))],
  [busIdentities.metadataLogging]: [subscribe(subjects.loggingGetGeneration), publish(subjects.deadLetters(subjects.loggingConsumer))],
  [busIdentities.admin]: [publish(subjects.keyChanged), publish(`$JS.API.STREAM.MSG.GET.${subjects.deadLetterStream}`), publish("$SRV.PING"), publish("$SRV.STATS.billing")],
};

/** Issue 8: the bus is a trust boundary. Against a nats-server started with the generated configuration. */
describe("bus permissions on a nats-server with the generated configuration", () => {
  let bus: SecuredBus;
  const connections = new Map<BusIdentity, NatsConnection>();

  beforeAll(async () => {
    bus = await startSecuredBus(subjects);
    for (const identity of Object.keys(forbidden) as BusIdentity[]) connections.set(identity, await bus.connectAs(identity));
  });

  afterAll(async () => {
    for (const connection of connections.values()) await connection.close();
    await bus?.stop();
  });

  it("refuses a client without credentials, saying which settings to set", async () => {
    const attempt = connectNats({ servers: bus.url, name: "anonymous", identity: "billing", reconnect: false, timeoutMs: 2_000 });
    await expect(attempt).rejects.toBeInstanceOf(NatsConnectError);
    await expect(attempt).rejects.toThrow(/requires credentials and none are set.*NATS_NKEY_SEED_FILE/);
  });

  it("refuses a seed the server does not know, naming what to check", async () => {
    const stranger = (await import("@nats-io/nkeys")).createUser();
    const attempt = connectNats({
      servers: bus.url,
      name: "stranger",
      identity: "billing",
      credentials: { nkeySeed: new TextDecoder().decode(stranger.getSeed()) },
      reconnect: false,
      timeoutMs: 2_000,
    });
    await expect(attempt).rejects.toThrow(/refused the credentials as the "billing" identity.*public key/);
  });

  for (const [identity, attempts] of Object.entries(forbidden) as Array<[BusIdentity, BusAttempt[]]>) {
    it(`refuses ${identity} what its role does not need`, async () => {
      const connection = connections.get(identity) as NatsConnection;
      const allowed: string[] = [];
      for (const attempt of attempts) {
        if (!(await isRefused(connection, attempt))) allowed.push(`${attempt.operation} ${attempt.subject}`);
      }
      expect(allowed).toEqual([]);
    });
  }

  for (const [identity, attempts] of Object.entries(needed) as Array<[BusIdentity, BusAttempt[]]>) {
    it(`lets ${identity} do what its role needs`, async () => {
      const connection = connections.get(identity) as NatsConnection;
      const refused: string[] = [];
      for (const attempt of attempts) {
        if (await isRefused(connection, attempt)) refused.push(`${attempt.operation} ${attempt.subject}`);
      }
      expect(refused).toEqual([]);
    });
  }

  it("lets only ingress publish the generation-completed fact", async () => {
    const others = Object.keys(forbidden).filter((identity) => identity !== busIdentities.ingress) as BusIdentity[];
    for (const identity of others) {
      expect(await isRefused(connections.get(identity) as NatsConnection, publish(subjects.generationCompleted)), identity).toBe(true);
    }
    expect(await isRefused(connections.get(busIdentities.ingress) as NatsConnection, publish(subjects.generationCompleted))).toBe(false);
  });

  it("lets only the router put into the routing bucket", async () => {
    const others = Object.keys(forbidden).filter((identity) => identity !== busIdentities.router) as BusIdentity[];
    for (const identity of others) expect(await isRefused(connections.get(identity) as NatsConnection, publish(routingKvPut)), identity).toBe(true);
    expect(await isRefused(connections.get(busIdentities.router) as NatsConnection, publish(routingKvPut))).toBe(false);
  });
});
