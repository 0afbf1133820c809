import { randomBytes } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { apiKeyChecksum, httpErrorBodySchema } from "@switchboard/contracts";
import { busIdentities } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../../support/start-stack.js";

/**
 * Issue 10: a malformed key (wrong prefix, length, alphabet or checksum) is refused by ingress with 401 before
 * its cache, billing or PostgreSQL hear of it. Billing is the only service that reads keys from the database,
 * and only when asked on its authenticate subject, so counting the questions there counts the look-ups.
 */
describe("malformed keys", () => {
  let stack: TestStack;
  let observer: NatsConnection;
  let authenticateQuestions = 0;

  beforeAll(async () => {
    stack = await startStack();
    // A plain subscription (no queue group) sees a copy of every question; only billing's identity may subscribe there.
    observer = await stack.bus.connectAs(busIdentities.billing, "malformed-key-observer");
    observer.subscribe(stack.subjects.billingAuthenticateKey, { callback: () => void authenticateQuestions++ });
    await observer.flush();
  });

  afterAll(async () => {
    await observer?.close();
    await stack?.stop();
  });

  const send = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const chat = { model: "test/echo", messages: [{ role: "user", content: "hello" }] };
  const keyedRoutes = [
    ["POST", "/chat/completions", chat],
    ["GET", "/key", undefined],
    ["GET", "/credits", undefined],
    ["GET", "/keys?offset=0", undefined],
    ["GET", `/generation?id=gen-00000000-0000-4000-8000-000000000000`, undefined],
  ] as const;

  it("are refused with OpenRouter's 401 on every keyed route without a question to billing", async () => {
    const random = randomBytes(32).toString("hex");
    const checksum = apiKeyChecksum(random);
    const malformed = [
      `sk-or-v1-${random}`,
      `sk-sb-v3-${random}${checksum}`,
      `sk-sb-v2-${random}`,
      `sk-sb-v2-${random}${checksum}0`,
      `sk-sb-v2-${random.slice(1)}${checksum}`,
      `sk-sb-v2-${random.toUpperCase()}${checksum}`,
      `sk-sb-v2-${"z".repeat(64)}${checksum}`,
      `sk-sb-v2-${random}${checksum === "00000000" ? "00000001" : "00000000"}`,
      `sk-sb-v2-${random.slice(0, -1)}${random.endsWith("0") ? "1" : "0"}${checksum}`,
      `sk-sb-v1-${random.slice(0, 63)}`,
      `sk-sb-v1-${random}${checksum}`,
    ];
    await observer.flush();
    const questionsBefore = authenticateQuestions;
    for (const key of malformed) {
      for (const [method, path, body] of keyedRoutes) {
        const answer = await send(method, path, key, body);
        expect(answer.status, `${method} ${path} ${key}`).toBe(401);
        expect(httpErrorBodySchema.parse(answer.body).error).toMatchObject({ code: 401, message: "Invalid API key." });
      }
    }
    await observer.flush();
    expect(authenticateQuestions).toBe(questionsBefore);

    // The observer does see questions: a well-formed key that does not exist is asked about once, then remembered.
    const unknownRandom = randomBytes(32).toString("hex");
    const wellFormedUnknown = `sk-sb-v2-${unknownRandom}${apiKeyChecksum(unknownRandom)}`;
    expect((await send("POST", "/chat/completions", wellFormedUnknown, chat)).status).toBe(401);
    await observer.flush();
    expect(authenticateQuestions).toBe(questionsBefore + 1);
  });

  it("leave real keys and the admin key working", async () => {
    const { key } = await stack.createFundedKey("1.00");
    expect(key).toMatch(/^sk-sb-v2-[0-9a-f]{72}$/);
    expect((await send("POST", "/chat/completions", key, chat)).status).toBe(200);
    expect((await stack.admin("GET", "/admin/audit?limit=1")).status).toBe(200);
  });
});
