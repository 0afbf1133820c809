import { describe, expect, it } from "vitest";
import { startStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/**
 * A streamed request whose client leaves before the stream opens (before any response header) must not
 * hold up ingress's graceful close: `stack.stop()` once waited about a minute in fastify's `app.close()`.
 */
describe("closing ingress after a stream abandoned before its headers", () => {
  it("stops within a few seconds, with the abandoned generation cancelled and nothing held", async () => {
    const stack = await startStack();
    let stopped = false;
    try {
      const { key, accountId } = await stack.createFundedKey("10.00");
      // The provider is slow to answer: the client gives up while ingress still waits for the first part,
      // before the 500 ms stream commit sends any header.
      stack.primary.addRule("abandoned before headers", { text: "too late", delayBeforeHeadersMs: 3_000 });
      const controller = new AbortController();
      const pending = fetch(`${stack.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "test/echo", stream: true, messages: [{ role: "user", content: "abandoned before headers" }] }),
        signal: controller.signal,
      }).then(
        () => "answered",
        () => "aborted",
      );
      await waitFor(async () => stack.primary.requests.find((request) => JSON.stringify(request.body).includes("abandoned before headers")), 3_000, "upstream request");
      controller.abort();
      expect(await pending).toBe("aborted");

      const row = await waitFor(async () => {
        const rows = await stack.database.database.selectFrom("generations").selectAll().where("account_id", "=", accountId).execute();
        return rows[0];
      }, 5_000, "generation row");
      expect(row).toMatchObject({ cancelled: true, status: "cancelled", streamed: true, cost_micros: 0, tokens_completion: 0 });
      await waitFor(async () => {
        const reservation = await stack.database.database.selectFrom("reservations").select("status").where("generation_id", "=", row.id).executeTakeFirst();
        return reservation?.status === "voided" || reservation?.status === "settled" ? true : undefined;
      }, 5_000, "resolved reservation");
      const account = await stack.admin("GET", `/admin/accounts/${accountId}`);
      expect((account.body as { data: { balance_micros: number; reserved_micros: number } }).data).toMatchObject({ balance_micros: 10_000_000, reserved_micros: 0 });

      const stopStartedAt = Date.now();
      await stack.stop();
      stopped = true;
      expect(Date.now() - stopStartedAt).toBeLessThan(5_000);
    } finally {
      if (!stopped) await stack.stop();
    }
  }, 90_000);

  it("still lets a live stream finish while closing", async () => {
    const stack = await startStack();
    const { key } = await stack.createFundedKey("10.00");
    stack.primary.addRule("still streaming", { chunks: ["one ", "two ", "three ", "four "], delayBetweenChunksMs: 300 });
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", stream: true, messages: [{ role: "user", content: "still streaming" }] }),
    });
    expect(response.status).toBe(200);
    const text = response.text();
    const stopped = stack.stop();
    const body = await text;
    await stopped;
    expect(body).toContain("four");
    expect(body).toContain("data: [DONE]");
  });
});
