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
