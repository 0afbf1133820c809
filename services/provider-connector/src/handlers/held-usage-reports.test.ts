import type { ConnectorUsageReport } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { HeldUsageReports } from "./held-usage-reports.js";
import type { UsageReporter } from "./usage-reporter.js";

function report(ingressId: string, factSequence: number | undefined, overrides: Partial<ConnectorUsageReport> = {}): ConnectorUsageReport {
  return {
    generationId: `gen-${ingressId}-${factSequence}`,
    origin: {
      ingressId,
      accountId: "00000000-0000-4000-8000-000000000001",
      keyId: "00000000-0000-4000-8000-000000000002",
      attempt: 0,
      ...(factSequence === undefined ? {} : { factSequence }),
    },
    endpointId: "fake/echo@fake",
    modelId: "fake/echo",
    providerId: "fake",
    providerName: "Fake",
    price: { promptPicosPerToken: "1000000", completionPicosPerToken: "2000000" },
    usage: { promptTokens: 3, completionTokens: 5, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    usageEstimated: false,
    finishReason: "stop",
    outcome: "completed",
    ingressSilent: false,
    streamed: true,
    upstreamId: null,
    latencyMs: 10,
    timeToFirstTokenMs: 2,
    startedAt: new Date(0).toISOString(),
    ...overrides,
  };
}

function harness(options: { silenceMs?: number; maximumHoldMs?: number } = {}) {
  let now = 0;
  const lastHeard = new Map<string, number>();
  const published: ConnectorUsageReport[] = [];
  let publisherWaited = false;
  const publisher: UsageReporter = {
    report: (published_) => void published.push(published_),
    pending: async () => {
      publisherWaited = true;
    },
  };
  const held = new HeldUsageReports({
    publisher,
    silenceMs: options.silenceMs ?? 3_000,
    lastHeardAt: (ingressId) => lastHeard.get(ingressId),
    ...(options.maximumHoldMs === undefined ? {} : { maximumHoldMs: options.maximumHoldMs }),
    checkIntervalMs: 60_000,
    now: () => now,
  });
  return {
    held,
    published,
    publisherWaited: () => publisherWaited,
    advance(milliseconds: number) {
      now += milliseconds;
    },
    heard(ingressId: string) {
      lastHeard.set(ingressId, now);
    },
  };
}

const ids = (reports: ConnectorUsageReport[]) => reports.map((published) => published.generationId).sort();

describe("HeldUsageReports", () => {
  it("drops the reports whose facts a heartbeat vouches for and keeps the outstanding and later ones", () => {
    const { held, published, heard } = harness();
    heard("ingress-a");
    for (const sequence of [0, 1, 2, 3]) held.report(report("ingress-a", sequence));
    held.report(report("ingress-b", 0));
    held.vouched("ingress-a", { issuedThrough: 2, outstanding: [1] });
    expect(held.size).toBe(3);
    held.check();
    expect(published).toEqual([]);
    held.vouched("ingress-a", { issuedThrough: 3, outstanding: [] });
    // Another replica's numbers are its own.
    expect(held.size).toBe(1);
  });

  it("publishes at once what it cannot hold: no fact number, or a report of a replica already silent", () => {
    const { held, published } = harness();
    held.report(report("ingress-a", undefined));
    held.report(report("ingress-a", 4, { ingressSilent: true, outcome: "aborted" }));
    expect(ids(published)).toEqual(["gen-ingress-a-4", "gen-ingress-a-undefined"]);
    expect(held.size).toBe(0);
  });

  it("publishes the held reports of a replica that went silent, and only those", () => {
    const { held, published, heard, advance } = harness({ silenceMs: 3_000 });
    heard("ingress-a");
    heard("ingress-b");
    held.report(report("ingress-a", 7));
    held.report(report("ingress-b", 7));
    advance(2_000);
    heard("ingress-b");
    advance(1_500);
    held.check();
    expect(ids(published)).toEqual(["gen-ingress-a-7"]);
    expect(held.size).toBe(1);
  });

  it("gives a replica never heard from the whole silence from the moment the report was held", () => {
    const { held, published, advance } = harness({ silenceMs: 3_000 });
    held.report(report("ingress-new", 0));
    advance(2_900);
    held.check();
    expect(published).toEqual([]);
    advance(200);
    held.check();
    expect(ids(published)).toEqual(["gen-ingress-new-0"]);
  });

  it("publishes a report held longer than the maximum even while its replica beats without vouching", () => {
    const { held, published, heard, advance } = harness({ silenceMs: 3_000, maximumHoldMs: 10_000 });
    heard("ingress-a");
    held.report(report("ingress-a", 1));
    for (let second = 0; second < 9; second++) {
      advance(1_000);
      heard("ingress-a");
      held.vouched("ingress-a", { issuedThrough: 5, outstanding: [1] });
      held.check();
    }
    expect(published).toEqual([]);
    advance(1_000);
    held.check();
    expect(ids(published)).toEqual(["gen-ingress-a-1"]);
  });

  it("publishes the earlier report when a second attempt of the same generation reports too", () => {
    const { held, published } = harness();
    held.report(report("ingress-a", 3, { origin: { ...report("ingress-a", 3).origin, attempt: 0 } }));
    held.report(report("ingress-a", 3, { origin: { ...report("ingress-a", 3).origin, attempt: 1 } }));
    expect(published.map((published_) => published_.origin.attempt)).toEqual([0]);
    expect(held.size).toBe(1);
  });

  it("publishes everything held at shutdown, and every later report at once", async () => {
    const { held, published, heard, publisherWaited } = harness();
    heard("ingress-a");
    held.report(report("ingress-a", 1));
    held.report(report("ingress-a", 2));
    await held.pending();
    expect(ids(published)).toEqual(["gen-ingress-a-1", "gen-ingress-a-2"]);
    expect(publisherWaited()).toBe(true);
    held.report(report("ingress-a", 3));
    expect(published).toHaveLength(3);
  });
});
