import { listModelEndpointsReplySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * Health-aware load balancing with two fake providers for one model (issue 9): `primary` costs 3/7 of
 * `backup`, so by inverse square of price it comes first in about 84 % of requests. Windows and backoffs
 * are shortened: two failures in a row eject for 3 s, reports go out every 100 ms.
 */
describe("endpoint health end to end (issue 9)", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack({
      random: Math.random,
      health: { policy: { consecutiveFailuresToEject: 2, firstEjection: 3_000, maximumEjection: 3_000 }, figuresIntervalMs: 200, outcomeReportIntervalMs: 100 },
    });
    ({ key } = await stack.createFundedKey("10.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** One request; the provider that served it. Every answer must be a success: fallback hides the failures. */
  const servedBy = async (text: string): Promise<string> => {
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", max_tokens: 20, messages: [{ role: "user", content: text }] }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body["provider"] as string;
  };

  it("sends most traffic to the cheaper provider, steers around it while it fails without a client error, and returns to it after", async () => {
    // Healthy: weighted by inverse square of price, both serve, the cheaper one most.
    const healthy: string[] = [];
    for (let index = 0; index < 40; index += 1) healthy.push(await servedBy(`healthy ${index}`));
    const primaryShare = healthy.filter((provider) => provider === "Primary Labs").length / healthy.length;
    expect(primaryShare).toBeGreaterThan(0.6);
    expect(primaryShare).toBeLessThan(1);

    // Primary fails every request: clients still get answers (fallback), and soon primary is not tried first.
    stack.primary.setScript({ status: 503 });
    const failingSince = Date.now();
    let quietRequests = 0;
    for (let index = 0; quietRequests < 15; index += 1) {
      const primaryRequestsBefore = stack.primary.requests.length;
      expect(await servedBy(`failing ${index}`)).toBe("Backup Cloud");
      quietRequests = stack.primary.requests.length === primaryRequestsBefore ? quietRequests + 1 : 0;
      expect(Date.now() - failingSince, "primary is still tried first").toBeLessThan(10_000);
    }
    const deprioritisedAfterMs = Date.now() - failingSince;
    expect(deprioritisedAfterMs).toBeLessThan(5_000);
    // The public listing shows what the router judged: primary ejected, with failures in its uptime.
    const listing = listModelEndpointsReplySchema.parse(await (await fetch(`${stack.baseUrl}/models/test/echo/endpoints`)).json());
    const primaryListing = listing.data.endpoints.find((endpoint) => endpoint.tag === "primary");
    expect(primaryListing).toMatchObject({ status: -1, uptime_last_5m: expect.any(Number) });
    expect(primaryListing?.uptime_last_5m).toBeLessThan(100);

    // Primary recovers: once its ejection ends it is tried again, answers, and gets its share back.
    stack.primary.setScript(undefined);
    const recoveringSince = Date.now();
    while ((await servedBy("recovering")) !== "Primary Labs") {
      expect(Date.now() - recoveringSince, "primary gets no traffic again").toBeLessThan(10_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const recovered: string[] = [];
    for (let index = 0; index < 30; index += 1) recovered.push(await servedBy(`recovered ${index}`));
    expect(recovered.filter((provider) => provider === "Primary Labs").length).toBeGreaterThan(15);
  }, 40_000);
});

/**
 * A restarted router takes up the health in the routing bucket (issue 9): an ejected endpoint stays
 * ejected for the rest of its backoff, instead of coming back first with the restarted router's first
 * snapshot. The ejection lasts 20 s here, so it outlives the restart by far; ingress ranks cheapest first.
 */
describe("endpoint health across a router restart (issue 9)", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack({
      health: { policy: { consecutiveFailuresToEject: 2, firstEjection: 20_000, maximumEjection: 20_000 }, figuresIntervalMs: 200, outcomeReportIntervalMs: 100 },
    });
    ({ key } = await stack.createFundedKey("10.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const servedBy = async (text: string): Promise<string> => {
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", max_tokens: 20, messages: [{ role: "user", content: text }] }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body["provider"] as string;
  };
  const listing = async () => listModelEndpointsReplySchema.parse(await (await fetch(`${stack.baseUrl}/models/test/echo/endpoints`)).json()).data.endpoints;
  const primaryListing = async () => (await listing()).find((endpoint) => endpoint.tag === "primary");

  it("keeps an ejected endpoint ejected, with its figures, after the router restarts", async () => {
    expect(await servedBy("healthy")).toBe("Primary Labs");
    stack.primary.setScript({ status: 503 });
    const failingSince = Date.now();
    while ((await primaryListing())?.status !== -1) {
      expect(await servedBy("failing")).toBe("Backup Cloud");
      expect(Date.now() - failingSince, "primary is not ejected").toBeLessThan(10_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = await primaryListing();
    // Primary would answer again: only the ejection keeps traffic away from it.
    stack.primary.setScript(undefined);

    await stack.restartRouter();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await primaryListing();
    expect(after).toMatchObject({ status: -1, uptime_last_5m: before?.uptime_last_5m, uptime_last_30m: before?.uptime_last_30m, uptime_last_1d: before?.uptime_last_1d });
    expect(after?.uptime_last_1d).toBeLessThan(100);
    const primaryRequestsBefore = stack.primary.requests.length;
    for (let index = 0; index < 5; index += 1) expect(await servedBy(`after restart ${index}`)).toBe("Backup Cloud");
    expect(stack.primary.requests.length, "primary was tried while ejected").toBe(primaryRequestsBefore);

    // The backup's longer figures are measured: 30-minute percentiles of time to first token and throughput.
    const backup = (await listing()).find((endpoint) => endpoint.tag === "backup");
    expect(backup).toMatchObject({ status: 0, uptime_last_30m: 100, uptime_last_1d: 100, latency_last_30m: { p50: expect.any(Number), p99: expect.any(Number) } });
  }, 40_000);
});
