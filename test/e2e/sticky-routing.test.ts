import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

interface RoutingDebug {
  candidates: { provider: string; endpoint: string; model: string; health: string; why: string }[];
  skipped: { provider: string; endpoint: string; model: string; reason: string }[];
  attempts?: { provider: string; endpoint: string; status: number; error_code: string | null }[];
}

/**
 * Sticky routing for prompt caching and the routing debug header (issue 9), with the stack's two fake
 * providers for `test/echo`. Ranking puts `primary` (cheaper, random source `() => 0`) first every time,
 * so a request served by `backup` without a filter is one that stuck. Health is shortened: two failures
 * in a row eject an endpoint for 3 s.
 */
describe("sticky routing and routing debug output end to end (issue 9)", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack({
      health: { policy: { consecutiveFailuresToEject: 2, firstEjection: 3_000, maximumEjection: 3_000 }, figuresIntervalMs: 200, outcomeReportIntervalMs: 100 },
    });
    ({ key } = await stack.createFundedKey("10.00"));
    // Answers to texts starting with "cached" read 40 prompt tokens from backup's prompt cache.
    stack.backup.addRule(/^cached/, { text: "from the cache", usage: { prompt_tokens: 50, completion_tokens: 3, cached_tokens: 40 } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: JSON.stringify({ model: "test/echo", max_tokens: 20, ...body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  };
  /** The provider that served a successful request, streamed or not. */
  const servedBy = async (body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> => {
    const { status, text } = await post(body, headers);
    expect(status, text).toBe(200);
    if (body["stream"] === true) return /"provider":"([^"]+)"/.exec(text)?.[1] ?? "";
    return (JSON.parse(text) as { provider: string }).provider;
  };
  const conversation = (name: string, ...turns: string[]) => {
    const messages: { role: string; content: string }[] = [{ role: "system", content: `You are the assistant of conversation ${name}.` }];
    for (const [index, turn] of turns.entries()) {
      if (index > 0) messages.push({ role: "assistant", content: "an earlier answer" });
      messages.push({ role: "user", content: turn });
    }
    return messages;
  };
  const ignorePrimary = { provider: { ignore: ["primary"] } };

  it("keeps a conversation whose request read the prompt cache on that endpoint, streamed or not; without a cache read it does not stick", async () => {
    expect(await servedBy({ ...ignorePrimary, messages: conversation("A", "cached A1") })).toBe("Backup Cloud");
    expect(await servedBy({ messages: conversation("A", "cached A1", "A2") })).toBe("Backup Cloud");
    expect(await servedBy({ stream: true, messages: conversation("A", "cached A1", "A2", "A3") })).toBe("Backup Cloud");
    // Another account's identical conversation is its own.
    const other = await stack.createFundedKey("1.00");
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${other.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", max_tokens: 20, messages: conversation("A", "cached A1", "A2") }),
    });
    expect(((await response.json()) as { provider: string }).provider).toBe("Primary Labs");

    expect(await servedBy({ ...ignorePrimary, messages: conversation("B", "plain B1") })).toBe("Backup Cloud");
    expect(await servedBy({ messages: conversation("B", "plain B1", "B2") })).toBe("Primary Labs");
  });

  it("with a session id (body, or x-session-id; the body wins), sticks from the first success", async () => {
    expect(await servedBy({ ...ignorePrimary, session_id: "session-body", messages: conversation("S", "plain S1") })).toBe("Backup Cloud");
    expect(await servedBy({ session_id: "session-body", messages: conversation("S-changed", "plain S2") })).toBe("Backup Cloud");
    // session_id is Switchboard's (and OpenRouter's), never the provider's.
    expect(stack.backup.requests.at(-1)?.body).not.toHaveProperty("session_id");

    expect(await servedBy({ ...ignorePrimary, messages: conversation("H", "plain H1") }, { "x-session-id": "session-header" })).toBe("Backup Cloud");
    expect(await servedBy({ messages: conversation("H-changed", "plain H2") }, { "x-session-id": "session-header" })).toBe("Backup Cloud");
    expect(await servedBy({ session_id: "session-unknown", messages: conversation("H-changed", "plain H3") }, { "x-session-id": "session-header" })).toBe("Primary Labs");

    const longBody = await post({ session_id: "s".repeat(257), messages: conversation("L", "plain") });
    expect(longBody.status).toBe(400);
    expect(JSON.parse(longBody.text)).toMatchObject({ error: { code: 400, message: expect.stringContaining("session_id must be at most 256 characters") } });
    const longHeader = await post({ messages: conversation("L", "plain") }, { "x-session-id": "s".repeat(257) });
    expect(longHeader.status).toBe(400);
    expect(JSON.parse(longHeader.text)).toMatchObject({ error: { code: 400, message: expect.stringContaining("x-session-id header must be at most 256 characters") } });
  });

  it("does not stick when provider.order is set", async () => {
    expect(await servedBy({ session_id: "session-ordered", provider: { order: ["backup"] }, messages: conversation("O", "cached O1") })).toBe("Backup Cloud");
    expect(await servedBy({ session_id: "session-ordered", messages: conversation("O", "cached O1", "O2") })).toBe("Primary Labs");
    // "session-body" sticks to backup, but an order that puts primary first is honoured.
    expect(await servedBy({ session_id: "session-body", provider: { order: ["primary", "backup"] }, messages: conversation("S", "plain S3") })).toBe("Primary Labs");
  });

  it("answers the routing debug header only when asked: candidates with health and why, skipped endpoints with their reason, attempts", async () => {
    const plain = await post({ messages: conversation("D", "plain D1") });
    expect(plain.status, plain.text).toBe(200);
    expect(plain.headers.get("x-switchboard-routing")).toBeNull();

    const ignored = await post({ provider: { ignore: ["backup"] }, messages: conversation("D", "plain D1") }, { "x-switchboard-debug": "routing" });
    expect(ignored.status, ignored.text).toBe(200);
    const debug = JSON.parse(ignored.headers.get("x-switchboard-routing") ?? "") as RoutingDebug;
    expect(debug).toEqual({
      // Healthy once the router has published primary's first outcome report, unmeasured until then.
      candidates: [{ provider: "primary", endpoint: "test/echo@primary", model: "test/echo", health: expect.stringMatching(/^(healthy|unmeasured)$/), why: "weighted" }],
      skipped: [{ provider: "backup", endpoint: "test/echo@backup", model: "test/echo", reason: "ignored" }],
      attempts: [{ provider: "primary", endpoint: "test/echo@primary", status: 200, error_code: null }],
    });
    expect(ignored.headers.get("x-switchboard-routing")).not.toContain("D1");

    // A stream's headers go out before its attempts end: the plan only. Here the conversation sticks to backup.
    const streamed = await post({ stream: true, session_id: "session-body", messages: conversation("S", "plain S4") }, { "x-switchboard-debug": "routing" });
    expect(streamed.status, streamed.text).toBe(200);
    expect(streamed.text).toContain("data: [DONE]");
    const streamDebug = JSON.parse(streamed.headers.get("x-switchboard-routing") ?? "") as RoutingDebug;
    expect(streamDebug.candidates.map((candidate) => [candidate.provider, candidate.why])).toEqual([
      ["backup", "sticky"],
      ["primary", "weighted"],
    ]);
    expect(streamDebug.skipped).toEqual([]);
    expect(streamDebug.attempts).toBeUndefined();

    // A failed attempt shows, and the order reasons follow provider.order.
    stack.backup.addRule("debug failure", { status: 503 });
    const failedOver = await post({ provider: { order: ["backup"] }, messages: conversation("D", "debug failure") }, { "x-switchboard-debug": "routing" });
    expect(failedOver.status, failedOver.text).toBe(200);
    expect(JSON.parse(failedOver.headers.get("x-switchboard-routing") ?? "")).toMatchObject({
      candidates: [
        { provider: "backup", why: "order" },
        { provider: "primary", why: "price" },
      ],
      attempts: [
        { provider: "backup", status: 502, error_code: "upstream_error" },
        { provider: "primary", status: 200, error_code: null },
      ],
    });

    // Every attempt failed: the error answer carries the header too, with its attempt. (Only primary, and
    // once: backup's failures in a row would eject it, which the next test must not start with.)
    stack.primary.addRule("debug total failure", { status: 503 });
    const failed = await post({ provider: { only: ["primary"] }, messages: conversation("D", "debug total failure") }, { "x-switchboard-debug": "routing" });
    expect(failed.status, failed.text).toBe(502);
    expect(JSON.parse(failed.headers.get("x-switchboard-routing") ?? "")).toMatchObject({ attempts: [{ provider: "primary", status: 502 }] });

    // A refusal (nothing passes the filters) shows every endpoint left out and why.
    const refused = await post({ provider: { only: ["nobody"] }, messages: conversation("D", "refused") }, { "x-switchboard-debug": "routing" });
    expect(refused.status, refused.text).toBe(404);
    expect(JSON.parse(refused.headers.get("x-switchboard-routing") ?? "")).toEqual({
      candidates: [],
      skipped: [
        { provider: "primary", endpoint: "test/echo@primary", model: "test/echo", reason: "allowed_providers" },
        { provider: "backup", endpoint: "test/echo@backup", model: "test/echo", reason: "allowed_providers" },
      ],
    });
  });

  it("tries another endpoint when the sticky one fails, without moving the conversation, and skips it while it is ejected", async () => {
    expect(await servedBy({ ...ignorePrimary, messages: conversation("C", "cached C1") })).toBe("Backup Cloud");
    stack.backup.addRule("C fails", { status: 503 });
    const backupRequestsBefore = stack.backup.requests.length;
    expect(await servedBy({ messages: conversation("C", "cached C1", "C fails") })).toBe("Primary Labs");
    expect(stack.backup.requests.length).toBe(backupRequestsBefore + 1);
    // The failure did not move the conversation: backup is tried first again.
    expect(await servedBy({ messages: conversation("C", "cached C1", "C3") })).toBe("Backup Cloud");

    // Backup fails twice in a row (with order, so no conversation is involved) and is ejected.
    stack.backup.addRule(/^eject/, { status: 503 });
    for (const turn of ["eject 1", "eject 2"]) expect(await servedBy({ provider: { order: ["backup"] }, messages: conversation("E", turn) })).toBe("Primary Labs");
    await waitFor(
      async () => {
        // The probe leaves backup alone: `order` puts primary first, which serves it.
        const probe = await post({ provider: { order: ["primary"] }, messages: conversation("P", "probe") }, { "x-switchboard-debug": "routing" });
        const debug = JSON.parse(probe.headers.get("x-switchboard-routing") ?? "") as RoutingDebug;
        return debug.candidates.find((candidate) => candidate.provider === "backup")?.health === "ejected" ? true : undefined;
      },
      5_000,
      "backup ejected in ingress's routing snapshot",
    );
    const ejectedRequestsBefore = stack.backup.requests.length;
    const whileEjected = await post({ messages: conversation("C", "cached C1", "C4") }, { "x-switchboard-debug": "routing" });
    expect(JSON.parse(whileEjected.text)).toMatchObject({ provider: "Primary Labs" });
    expect(JSON.parse(whileEjected.headers.get("x-switchboard-routing") ?? "")).toMatchObject({
      candidates: [
        { provider: "primary", why: "weighted" },
        { provider: "backup", health: "ejected", why: "ejected_last" },
      ],
    });
    expect(stack.backup.requests.length).toBe(ejectedRequestsBefore);
  }, 30_000);
});
