import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogCapture } from "../support/silent-logger.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

interface LogLine {
  level: number;
  service: string;
  reqId?: string;
  msg: string;
  [field: string]: unknown;
}

const infoLevel = 30;
const promptCanary = "ACCESS-LOG-PROMPT-CANARY-51c0";

/** Info lines ingress wrote about one request or another (pino binds the request id to those). */
function ingressRequestLines(capture: LogCapture): LogLine[] {
  return capture.lines
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.service === "ingress" && line.reqId !== undefined && line.level >= infoLevel);
}

/** The lines about the test's own requests, not about the admin requests that funded its key. */
function clientRequestLines(capture: LogCapture): LogLine[] {
  return ingressRequestLines(capture).filter((line) => line["route"] === "/api/v1/chat/completions" || line["route"] === "/api/v1/models");
}

/** One non-streamed and one streamed completion; returns their generation ids. */
async function completeTwice(stack: TestStack, key: string): Promise<string[]> {
  const client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
  const messages = [{ role: "user" as const, content: `say ${promptCanary}` }];
  const whole = await client.chat.completions.create({ model: "test/echo", messages }).withResponse();
  const streamed = await client.chat.completions.create({ model: "test/echo", messages, stream: true }).withResponse();
  for await (const chunk of streamed.data) void chunk;
  return [whole.response.headers.get("x-generation-id") ?? "", streamed.response.headers.get("x-generation-id") ?? ""];
}

// Issue 7: no per-request log line on the hot path at the default level; an access log may be enabled.
describe("request logging with the access log off (the default)", () => {
  const capture: LogCapture = { lines: [] };
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ logCapture: capture });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("writes no info line per request", async () => {
    const { key } = await stack.createFundedKey("1.00");
    await completeTwice(stack, key);
    await fetch(`${stack.baseUrl}/models?page=2`);
    // Give a late onResponse line the chance to appear before asserting that none did.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ingressRequestLines(capture)).toEqual([]);
  });
});

describe("request logging with the access log on", () => {
  const capture: LogCapture = { lines: [] };
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ logCapture: capture, ingress: { accessLog: true } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("writes exactly one line per request: route, status, duration and what a completion ran on and cost, never its content", async () => {
    const { key } = await stack.createFundedKey("1.00");
    const generationIds = await completeTwice(stack, key);
    const models = await fetch(`${stack.baseUrl}/models?secret=${promptCanary}`);
    expect(models.status).toBe(200);

    const lines = await waitFor(async () => {
      const found = clientRequestLines(capture);
      return found.length >= 3 ? found : undefined;
    }, 5_000, "three access log lines");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(clientRequestLines(capture)).toHaveLength(3);
    const requestIds = ingressRequestLines(capture).map((line) => line.reqId);
    expect(new Set(requestIds).size, "one line per request, admin requests included").toBe(requestIds.length);

    for (const [index, generationId] of generationIds.entries()) {
      const line = lines.find((candidate) => candidate["generation_id"] === generationId);
      expect(line, `access line of completion ${index}`).toMatchObject({
        level: infoLevel,
        msg: "request completed",
        method: "POST",
        route: "/api/v1/chat/completions",
        status: 200,
        model: "test/echo",
        provider: expect.any(String),
        promptTokens: expect.any(Number),
        completionTokens: expect.any(Number),
        costMicros: expect.any(Number),
      });
      expect(line?.["durationMs"]).toEqual(expect.any(Number));
    }
    const listing = lines.find((line) => line["generation_id"] === undefined);
    expect(listing).toMatchObject({ method: "GET", route: "/api/v1/models", status: 200 });

    const text = capture.lines.join("\n");
    for (const secret of [promptCanary, key, key.slice("sk-sb-v2-".length)]) expect(text).not.toContain(secret);
  });
});
