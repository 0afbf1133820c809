import { createSubjects } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { allBusIdentities, busIdentities, inboxPrefixFor, type BusIdentity } from "./bus-identities.js";
import { createBusPermissions } from "./bus-permissions.js";
import { mayUseSubject } from "./may-use-subject.js";

const subjects = createSubjects("sb");
const permissions = createBusPermissions(subjects);
const whoMay = (operation: "publish" | "subscribe", subject: string): BusIdentity[] =>
  allBusIdentities.filter((identity) => mayUseSubject(permissions[identity], operation, subject));

describe("createBusPermissions (issue 8: least privilege per identity)", () => {
  it("lets only ingress call billing, and only billing serve it", () => {
    for (const subject of [subjects.billingCreateAccount, subjects.billingGrantCredits, subjects.billingCreateKey, subjects.billingReserve, subjects.billingLeaseCredit, subjects.billingAuthenticateKey]) {
      expect(whoMay("publish", subject), subject).toEqual([busIdentities.ingress]);
      expect(whoMay("subscribe", subject), subject).toEqual([busIdentities.billing]);
    }
  });

  it("lets only ingress publish the generation-completed fact, and nobody subscribe to it directly", () => {
    expect(whoMay("publish", subjects.generationCompleted)).toEqual([busIdentities.ingress]);
    expect(whoMay("subscribe", subjects.generationCompleted)).toEqual([]);
  });

  it("lets only the connector publish its usage reports and only ingress its heartbeat, which only the connector hears (issue 10)", () => {
    expect(whoMay("publish", subjects.connectorUsageReported)).toEqual([busIdentities.providerConnector]);
    expect(whoMay("subscribe", subjects.connectorUsageReported)).toEqual([]);
    expect(whoMay("publish", subjects.ingressHeartbeat)).toEqual([busIdentities.ingress]);
    expect(whoMay("subscribe", subjects.ingressHeartbeat)).toEqual([busIdentities.providerConnector]);
  });

  it("lets only ingress reach the connector, and only the connector serve its subjects", () => {
    for (const subject of [subjects.connectorGenerate, subjects.connectorCancel("gen-1"), subjects.connectorAttemptProgress]) {
      expect(whoMay("publish", subject), subject).toEqual([busIdentities.ingress]);
      expect(whoMay("subscribe", subject), subject).toEqual([busIdentities.providerConnector]);
    }
  });

  it("lets only the connector report endpoint outcomes, and only the router hear them (issue 9)", () => {
    expect(whoMay("publish", subjects.endpointOutcomes)).toEqual([busIdentities.providerConnector]);
    expect(whoMay("subscribe", subjects.endpointOutcomes)).toEqual([busIdentities.router]);
  });

  it("lets only ingress call the router's admin catalog endpoints, and only the router serve them (issue 9)", () => {
    for (const subject of [subjects.routerGetCatalog, subjects.routerPutCatalogEntry, subjects.routerSetCatalogEntryDisabled]) {
      expect(whoMay("publish", subject), subject).toEqual([busIdentities.ingress]);
      expect(whoMay("subscribe", subject), subject).toEqual([busIdentities.router]);
    }
    // Ingress still may not call the router's other endpoints (route is for operators and tools).
    expect(whoMay("publish", subjects.routerRoute)).toEqual([]);
  });

  it("lets only the router write or create the routing bucket", () => {
    expect(whoMay("publish", `$KV.${subjects.routingBucket}.${subjects.routingSnapshotKey}`)).toEqual([busIdentities.router]);
    expect(whoMay("publish", `$JS.API.STREAM.CREATE.KV_${subjects.routingBucket}`)).toEqual([busIdentities.router]);
  });

  it("lets only billing (and the admin CLI) announce key changes and only billing recall leases; ingress hears both", () => {
    expect(whoMay("publish", subjects.keyChanged)).toEqual([busIdentities.billing, busIdentities.admin]);
    expect(whoMay("publish", subjects.creditRecall)).toEqual([busIdentities.billing]);
    expect(whoMay("publish", subjects.billingSettled)).toEqual([busIdentities.billing]);
    expect(whoMay("publish", `$JS.API.STREAM.CREATE.${subjects.billingFactsStream}`)).toEqual([busIdentities.billing]);
    expect(whoMay("subscribe", subjects.keyChanged)).toEqual([busIdentities.ingress]);
    expect(whoMay("subscribe", subjects.creditRecall)).toEqual([busIdentities.ingress]);
  });

  it("lets only ingress replicas exchange rate-limit counts (issue 10)", () => {
    expect(whoMay("publish", subjects.rateLimitCounts)).toEqual([busIdentities.ingress]);
    expect(whoMay("subscribe", subjects.rateLimitCounts)).toEqual([busIdentities.ingress]);
  });

  it("gives each durable consumer of the facts stream to its own service", () => {
    const pull = (consumer: string) => `$JS.API.CONSUMER.MSG.NEXT.${subjects.factsStream}.${consumer}`;
    expect(whoMay("publish", pull(subjects.billingConsumer))).toEqual([busIdentities.billing]);
    expect(whoMay("publish", pull(subjects.loggingConsumer))).toEqual([busIdentities.metadataLogging]);
    expect(whoMay("publish", pull(subjects.billingUsageReportConsumer))).toEqual([busIdentities.billing]);
    expect(whoMay("publish", pull(subjects.loggingUsageReportConsumer))).toEqual([busIdentities.metadataLogging]);
    expect(whoMay("publish", `$JS.API.STREAM.DELETE.${subjects.factsStream}`)).toEqual([]);
    expect(whoMay("publish", `$JS.API.STREAM.PURGE.${subjects.factsStream}`)).toEqual([]);
  });

  it("lets each consumer copy only to its own dead-letter subject, and only the admin CLI read dead letters (issue 10)", () => {
    expect(whoMay("publish", subjects.deadLetters(subjects.billingConsumer))).toEqual([busIdentities.billing]);
    expect(whoMay("publish", subjects.deadLetters(subjects.loggingConsumer))).toEqual([busIdentities.metadataLogging]);
    expect(whoMay("subscribe", subjects.deadLettersWildcard)).toEqual([]);
    expect(whoMay("publish", `$JS.API.STREAM.CREATE.${subjects.deadLetterStream}`)).toEqual([busIdentities.billing, busIdentities.metadataLogging]);
    expect(whoMay("publish", `$JS.API.STREAM.MSG.GET.${subjects.deadLetterStream}`)).toEqual([busIdentities.admin]);
    expect(whoMay("publish", `$JS.API.STREAM.DELETE.${subjects.deadLetterStream}`)).toEqual([]);
    expect(whoMay("publish", `$JS.API.STREAM.PURGE.${subjects.deadLetterStream}`)).toEqual([]);
    expect(whoMay("publish", `$JS.API.STREAM.MSG.DELETE.${subjects.deadLetterStream}`)).toEqual([]);
  });

  it("lets the admin (operator) identity ask every service's $SRV.PING/INFO/STATS, which the four NATS services answer", () => {
    for (const subject of ["$SRV.PING", "$SRV.INFO.billing", "$SRV.STATS.router.instance-1"]) {
      expect(whoMay("publish", subject), subject).toEqual([busIdentities.admin]);
      expect(whoMay("subscribe", subject), subject).toEqual([busIdentities.router, busIdentities.providerConnector, busIdentities.billing, busIdentities.metadataLogging]);
    }
    expect(whoMay("publish", "$SRV.SOMETHING")).toEqual([]);
  });

  it("lets every identity subscribe to its own inbox and to no one else's", () => {
    for (const identity of allBusIdentities) {
      expect(whoMay("subscribe", `${inboxPrefixFor("sb", identity)}.>`)).toEqual([identity]);
    }
    expect(whoMay("subscribe", "_INBOX.>")).toEqual([]);
    expect(whoMay("subscribe", ">")).toEqual([]);
  });

  it("lets only the connector publish to ingress's inboxes besides answers (a generation's parts), and nobody to others'", () => {
    expect(whoMay("publish", `${inboxPrefixFor("sb", busIdentities.ingress)}.abc.1`)).toEqual([busIdentities.providerConnector]);
    for (const identity of allBusIdentities.filter((identity) => identity !== busIdentities.ingress)) {
      expect(whoMay("publish", `${inboxPrefixFor("sb", identity)}.abc`), identity).toEqual([]);
    }
  });

  it("answers requests only from the request/reply services", () => {
    const answering = allBusIdentities.filter((identity) => permissions[identity].allowResponses);
    expect(answering).toEqual([busIdentities.router, busIdentities.providerConnector, busIdentities.billing, busIdentities.metadataLogging]);
  });

  it("keeps namespaces apart: nothing in one namespace is allowed in another", () => {
    const other = createSubjects("staging");
    expect(whoMay("publish", other.generationCompleted)).toEqual([]);
    expect(whoMay("publish", other.billingGrantCredits)).toEqual([]);
    expect(whoMay("subscribe", `${inboxPrefixFor("staging", busIdentities.ingress)}.>`)).toEqual([]);
  });
});
