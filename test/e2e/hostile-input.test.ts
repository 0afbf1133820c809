import { request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { connect as connectTcp } from "node:net";
import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { accountSchema, getGenerationReplySchema, hasControlCharacters, httpErrorBodySchema, listModelsReplySchema, SwitchboardError } from "@switchboard/contracts";
import { allBusIdentities, busIdentities, requestReply } from "@switchboard/messaging";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRefused } from "../support/expect-refused.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";
import { testAdminCaller } from "../support/test-admin-caller.js";

/**
 * Issue 6, "no input can crash a service": hostile requests over real HTTP. For every case: no 5xx; a
 * refusal is a 4xx in OpenRouter's error shape whose message is one bounded line; a refused request sent
 * nothing upstream and moved no money; and after each group a normal completion still goes through every
 * service. A crash would also show up here as an unhandled rejection.
 */

interface RawResponse {
  status: number;
  text: string;
}

/** A request as node's HTTP client sends it: arbitrary bytes in bodies, latin1 bytes in headers. */
function send(baseUrl: string, options: { method?: string; path: string; headers?: OutgoingHttpHeaders; body?: string | Buffer }): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, "utf8");
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        path: `${url.pathname}${options.path}`,
        headers: { ...(body === undefined ? {} : { "content-length": body.length }), ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** Bytes no HTTP client library would send (CR or NUL inside a header), written to the socket as they are. */
function sendBytes(baseUrl: string, bytes: Buffer): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    socket.end(bytes);
  });
}

const crlf = "evil\r\nNats-Service-Error: forged";
const nul = "evil\u0000nul";
const long = "x".repeat(10_000);
const uuid = "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11";

const chat = (overrides: Record<string, unknown> = {}) => ({ model: "test/echo", messages: [{ role: "user", content: "hostile input" }], ...overrides });
const withMessage = (message: Record<string, unknown>) => chat({ messages: [message] });
const tool = (name: string) => ({ type: "function", function: { name, description: "d", parameters: { type: "object", properties: {} } } });
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

/** A chat request, its expected status (200: served and charged; 4xx: refused) and how it is sent. */
interface ChatCase {
  name: string;
  status: number;
  /** A JSON value, or raw text / bytes for malformed bodies. */
  body: unknown;
  raw?: boolean;
  headers?: OutgoingHttpHeaders;
}

const stringFieldCases: ChatCase[] = [
  { name: "model with CR/LF", status: 400, body: chat({ model: crlf }) },
  { name: "model with NUL", status: 400, body: chat({ model: nul }) },
  { name: "model that is a valid id followed by CR/LF", status: 400, body: chat({ model: "test/echo\r\n" }) },
  { name: "model with a lone LF", status: 400, body: chat({ model: "test/\necho" }) },
  { name: "model with an ANSI escape sequence", status: 400, body: chat({ model: "\u001b[31mtest/echo" }) },
  { name: "model with BEL", status: 400, body: chat({ model: "test/echo\u0007" }) },
  { name: "model with DEL", status: 400, body: chat({ model: "test/echo\u007f" }) },
  { name: "model with a C1 control (NEL)", status: 400, body: chat({ model: "test/echo\u0085" }) },
  { name: "model with U+2028 line separator", status: 400, body: chat({ model: "test/echo\u2028" }) },
  { name: "model with a tab", status: 400, body: chat({ model: "test/\techo" }) },
  { name: "model of 10,000 characters", status: 400, body: chat({ model: long }) },
  { name: "model in unicode that names no model", status: 400, body: chat({ model: "tëst/échø-😀" }) },
  { name: "model with a right-to-left override", status: 400, body: chat({ model: "test/echo\u202e" }) },
  { name: "model with CR/LF in a streaming request", status: 400, body: chat({ model: crlf, stream: true }) },
  { name: "models[] entry with CR/LF", status: 400, body: chat({ models: ["test/echo", crlf] }) },
  { name: "models[] entry with NUL", status: 400, body: chat({ models: [nul] }) },
  { name: "models[] entry of 10,000 characters", status: 400, body: chat({ models: [long] }) },
  { name: "provider.order entry with CR/LF", status: 400, body: chat({ provider: { order: [crlf] } }) },
  { name: "provider.only entry with NUL", status: 400, body: chat({ provider: { only: [nul] } }) },
  { name: "provider.ignore entry with CR/LF", status: 400, body: chat({ provider: { ignore: ["primary\r\n"] } }) },
  { name: "provider.order entry of 10,000 characters", status: 400, body: chat({ provider: { order: [long] } }) },
  { name: "provider preference key with CR/LF, 10,000 characters long", status: 400, body: chat({ provider: { [`${crlf}${long}`]: true } }) },
  { name: "messages[].role with CR/LF", status: 400, body: withMessage({ role: "user\r\n", content: "x" }) },
  { name: "messages[].role that is NUL", status: 400, body: withMessage({ role: "\u0000", content: "x" }) },
  { name: "content part type with CR/LF", status: 400, body: withMessage({ role: "user", content: [{ type: `image\r\n${long}` }] }) },
  { name: "messages[].content with CR/LF (ordinary text)", status: 200, body: withMessage({ role: "user", content: "line one\r\nline two\n" }) },
  { name: "messages[].content with NUL", status: 200, body: withMessage({ role: "user", content: nul }) },
  { name: "messages[].content with every C0 control", status: 200, body: withMessage({ role: "user", content: String.fromCharCode(...Array.from({ length: 32 }, (_value, code) => code)) }) },
  { name: "text part with CR/LF and NUL", status: 200, body: withMessage({ role: "user", content: [{ type: "text", text: `${crlf}${nul}` }] }) },
  { name: "system message with CR/LF", status: 200, body: chat({ messages: [{ role: "system", content: crlf }, { role: "user", content: "x" }] }) },
  { name: "messages[].name with CR/LF and NUL", status: 200, body: withMessage({ role: "user", content: "x", name: `${crlf}${nul}` }) },
  { name: "stop with CR/LF", status: 200, body: chat({ stop: "\r\n" }) },
  { name: "stop entries with NUL", status: 200, body: chat({ stop: ["\u0000", "\n"] }) },
  { name: "user with CR/LF and NUL", status: 200, body: chat({ user: `${crlf}${nul}` }) },
  { name: "tool name with CR/LF", status: 200, body: chat({ tools: [tool("get\r\nweather")] }) },
  { name: "tool_choice naming a tool with NUL", status: 200, body: chat({ tools: [tool(nul)], tool_choice: { type: "function", function: { name: nul } } }) },
  {
    name: "tool call ids and names with CR/LF",
    status: 200,
    body: chat({
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: null, tool_calls: [{ id: `call\r\n${nul}`, type: "function", function: { name: crlf, arguments: "{}" } }] },
        { role: "tool", tool_call_id: `call\r\n${nul}`, content: "done" },
      ],
    }),
  },
  { name: "unknown top-level key with CR/LF", status: 200, body: chat({ [crlf]: nul }) },
  { name: "a 40 KB prompt, within the body limit", status: 200, body: withMessage({ role: "user", content: "y".repeat(40 * 1024) }) },
  { name: "a body over the limit", status: 413, body: withMessage({ role: "user", content: "y".repeat(100 * 1024) }) },
  { name: "a body over the limit whose model has CR/LF", status: 413, body: chat({ model: `${crlf}${"z".repeat(100 * 1024)}` }) },
];

const wrongTypeCases: ChatCase[] = [
  { name: "model as a number", status: 400, body: chat({ model: 123 }) },
  { name: "model as null", status: 400, body: chat({ model: null }) },
  { name: "model as an array", status: 400, body: chat({ model: ["test/echo"] }) },
  { name: "model as an object", status: 400, body: chat({ model: { id: "test/echo" } }) },
  { name: "models as an object", status: 400, body: chat({ models: { 0: "test/echo" } }) },
  { name: "models entries as numbers", status: 400, body: chat({ models: [1, 2] }) },
  { name: "messages as an object", status: 400, body: chat({ messages: { role: "user", content: "x" } }) },
  { name: "messages as a string", status: 400, body: chat({ messages: "hello" }) },
  { name: "messages holding null", status: 400, body: chat({ messages: [null] }) },
  { name: "content as a number", status: 400, body: withMessage({ role: "user", content: 123 }) },
  { name: "content as an object", status: 400, body: withMessage({ role: "user", content: { text: "x" } }) },
  { name: "content part without a type", status: 400, body: withMessage({ role: "user", content: [{ text: "x" }] }) },
  { name: "role as a number", status: 400, body: withMessage({ role: 1, content: "x" }) },
  { name: "provider as an array", status: 400, body: chat({ provider: [] }) },
  { name: "provider as a string", status: 400, body: chat({ provider: "primary" }) },
  { name: "provider.order as a string", status: 400, body: chat({ provider: { order: "primary" } }) },
  { name: "stream as a string", status: 400, body: chat({ stream: "yes" }) },
  { name: "max_tokens as a string", status: 400, body: chat({ max_tokens: "10" }) },
  { name: "max_tokens of 1e400 (Infinity)", status: 400, body: '{"model":"test/echo","messages":[{"role":"user","content":"x"}],"max_tokens":1e400}', raw: true },
  { name: "max_tokens negative", status: 400, body: chat({ max_tokens: -1 }) },
  { name: "temperature as a string", status: 400, body: chat({ temperature: "hot" }) },
  { name: "stop as an object", status: 400, body: chat({ stop: { "\r\n": true } }) },
  { name: "a body that is null", status: 400, body: null },
  { name: "a body that is an array", status: 400, body: [chat()] },
  { name: "a body that is a string", status: 400, body: JSON.stringify(chat()) },
  { name: "a body that is a number", status: 400, body: 42 },
  { name: "an unknown field nested 60 deep (within the limit)", status: 200, body: `{"model":"test/echo","messages":[{"role":"user","content":"x"}],"extra":${nested(60)}}`, raw: true },
  { name: "an unknown field nested 30,000 deep", status: 400, body: `{"model":"test/echo","messages":[{"role":"user","content":"x"}],"extra":${nested(30_000)}}`, raw: true },
  { name: "truncated JSON", status: 400, body: '{"model":"test/echo","messages":[{"role":"user","content":"x', raw: true },
  { name: "JSON with a raw NUL byte inside a string", status: 400, body: '{"model":"test/echo","messages":[{"role":"user","content":"a\u0000b"}]}', raw: true },
  { name: "invalid UTF-8 inside the prompt", status: 200, body: Buffer.concat([Buffer.from('{"model":"test/echo","messages":[{"role":"user","content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}]}')]), raw: true },
  { name: "invalid UTF-8 inside the model", status: 400, body: Buffer.concat([Buffer.from('{"model":"test/'), Buffer.from([0xff, 0xfe]), Buffer.from('","messages":[{"role":"user","content":"x"}]}')]), raw: true },
];

const duplicateKeyCases: ChatCase[] = [
  { name: "duplicate model, the last with CR/LF", status: 400, body: '{"model":"test/echo","model":"evil\\r\\n","messages":[{"role":"user","content":"x"}]}', raw: true },
  { name: "duplicate model, the first with CR/LF", status: 200, body: '{"model":"evil\\r\\n","model":"test/echo","messages":[{"role":"user","content":"x"}]}', raw: true },
  { name: "duplicate messages, the last invalid", status: 400, body: '{"model":"test/echo","messages":[{"role":"user","content":"x"}],"messages":"nope"}', raw: true },
  { name: "duplicate provider.order", status: 400, body: '{"model":"test/echo","messages":[{"role":"user","content":"x"}],"provider":{"order":["primary"],"order":["evil\\u0000"]}}', raw: true },
  { name: "__proto__ key holding a hostile model", status: 200, body: '{"__proto__":{"model":"evil\\r\\n","polluted":true},"model":"test/echo","messages":[{"role":"user","content":"x"}]}', raw: true },
  { name: "constructor.prototype keys", status: 200, body: '{"constructor":{"prototype":{"polluted":true}},"model":"test/echo","messages":[{"role":"user","content":"x"}]}', raw: true },
];

const contentTypeCases: ChatCase[] = [
  { name: "text/plain", status: 415, body: chat(), headers: { "content-type": "text/plain" } },
  { name: "form-encoded", status: 415, body: "model=test%2Fecho&messages=x", raw: true, headers: { "content-type": "application/x-www-form-urlencoded" } },
  { name: "multipart", status: 415, body: '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\ntest/echo\r\n--b--\r\n', raw: true, headers: { "content-type": "multipart/form-data; boundary=b" } },
  { name: "no content-type", status: 415, body: chat(), headers: { "content-type": undefined } },
  { name: "application/jsonp", status: 415, body: chat(), headers: { "content-type": "application/jsonp" } },
  { name: "application/json; charset=utf-8", status: 200, body: chat(), headers: { "content-type": "application/json; charset=utf-8" } },
  { name: "application/json;charset=UTF-8", status: 200, body: chat(), headers: { "content-type": "application/json;charset=UTF-8" } },
  { name: "APPLICATION/JSON", status: 200, body: chat(), headers: { "content-type": "APPLICATION/JSON" } },
  { name: "application/json with an odd parameter", status: 200, body: chat(), headers: { "content-type": 'application/json; foo="bar\\"baz"' } },
  { name: "application/json with an empty body", status: 400, body: "", raw: true },
  { name: "application/json with a byte-order mark", status: 400, body: `\ufeff${JSON.stringify(chat())}`, raw: true },
];

describe("hostile input (issue 6)", () => {
  let stack: TestStack;
  /** Key of the account that only ever gets refused requests: its balance must never move. */
  let refusedKey: string;
  let refusedAccountId: string;
  /** Key of the account that pays for the requests that are served. */
  let servedKey: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    stack = await startStack();
    ({ key: refusedKey, accountId: refusedAccountId } = await stack.createFundedKey("1.00"));
    ({ key: servedKey } = await stack.createFundedKey("5.00"));
  });

  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await stack?.stop();
  });

  const upstreamRequests = () => stack.primary.requests.length + stack.backup.requests.length;

  /** A 4xx in OpenRouter's shape whose message is one short line. */
  function expectRefusal(response: RawResponse, status: number): void {
    expect(response.status, response.text.slice(0, 300)).toBe(status);
    const body = httpErrorBodySchema.parse(JSON.parse(response.text));
    expect(body.error.code).toBe(status);
    expect(hasControlCharacters(body.error.message), body.error.message).toBe(false);
    expect(body.error.message.length).toBeLessThan(600);
  }

  async function expectChatCase(testCase: ChatCase): Promise<void> {
    const before = upstreamRequests();
    const served = testCase.status === 200;
    const body = testCase.raw ? (testCase.body as string | Buffer) : JSON.stringify(testCase.body);
    const headers: OutgoingHttpHeaders = { "content-type": "application/json", authorization: `Bearer ${served ? servedKey : refusedKey}`, ...testCase.headers };
    if (headers["content-type"] === undefined) delete headers["content-type"];
    const response = await send(stack.baseUrl, { path: "/chat/completions", headers, body });
    expect(response.status).toBeLessThan(500);
    if (served) {
      expect(response.status, response.text.slice(0, 300)).toBe(200);
      expect(JSON.parse(response.text)).toMatchObject({ object: "chat.completion", choices: [{ finish_reason: "stop" }] });
      expect(upstreamRequests()).toBe(before + 1);
    } else {
      expectRefusal(response, testCase.status);
      expect(upstreamRequests()).toBe(before);
    }
  }

  /** Every service still answers: router (models), billing (account), connector (a completion), logging (its record). */
  async function expectStackServes(): Promise<void> {
    const models = await send(stack.baseUrl, { path: "/models" });
    expect(models.status).toBe(200);
    const account = await send(stack.baseUrl, { path: `/admin/accounts/${refusedAccountId}`, headers: { authorization: `Bearer ${stack.adminKey}` } });
    expect(account.status).toBe(200);
    const completion = await send(stack.baseUrl, {
      path: "/chat/completions",
      headers: { "content-type": "application/json", authorization: `Bearer ${servedKey}` },
      body: JSON.stringify(chat({ messages: [{ role: "user", content: "still alive?" }] })),
    });
    expect(completion.status, completion.text).toBe(200);
    expect(JSON.parse(completion.text)).toMatchObject({ choices: [{ message: { content: "Echo: still alive?" } }] });
    const id = (JSON.parse(completion.text) as { id: string }).id;
    await waitFor(async () => ((await send(stack.baseUrl, { path: `/generation?id=${id}`, headers: { authorization: `Bearer ${servedKey}` } })).status === 200 ? true : undefined), 5_000, "the generation record");
    expect(unhandled).toEqual([]);
  }

  describe("CR, LF, NUL and other controls in every string field of a chat request", () => {
    for (const testCase of stringFieldCases) it(`${testCase.name} → ${testCase.status}`, () => expectChatCase(testCase));
    it("every service still serves", () => expectStackServes());
  });

  describe("wrong types and malformed JSON", () => {
    for (const testCase of wrongTypeCases) it(`${testCase.name} → ${testCase.status}`, () => expectChatCase(testCase));
    it("the prototype of objects was not touched", () => {
      expect((Object.prototype as Record<string, unknown>)["polluted"]).toBeUndefined();
    });
    it("every service still serves", () => expectStackServes());
  });

  describe("duplicate keys", () => {
    for (const testCase of duplicateKeyCases) it(`${testCase.name} → ${testCase.status}`, () => expectChatCase(testCase));
    it("the prototype of objects was not touched", () => {
      expect((Object.prototype as Record<string, unknown>)["polluted"]).toBeUndefined();
    });
    it("every service still serves", () => expectStackServes());
  });

  describe("content types", () => {
    for (const testCase of contentTypeCases) it(`${testCase.name} → ${testCase.status}`, () => expectChatCase(testCase));
    it("every service still serves", () => expectStackServes());
  });

  describe("headers", () => {
    const post = (authorization: string | undefined, extra: OutgoingHttpHeaders = {}) =>
      send(stack.baseUrl, {
        path: "/chat/completions",
        headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }), ...extra },
        body: JSON.stringify(chat()),
      });

    const refusedAuthorizations: Array<[string, string | undefined]> = [
      ["no Authorization", undefined],
      ["Authorization of only `Bearer`", "Bearer"],
      ["a bearer token of 8,000 characters", `Bearer ${"k".repeat(8_000)}`],
      ["a bearer token of odd bytes", "Bearer \u00ff\u00fe\u0080\u00a0sk-sb-v1-"],
      ["a valid key followed by a second word", "Bearer KEY extra"],
      ["Basic authentication", `Basic ${Buffer.from("user:pass").toString("base64")}`],
      ["the key without `Bearer`", "KEY"],
    ];
    for (const [name, authorization] of refusedAuthorizations) {
      it(`${name} → 401`, async () => {
        const before = upstreamRequests();
        expectRefusal(await post(authorization?.replace("KEY", refusedKey)), 401);
        expect(upstreamRequests()).toBe(before);
      });
    }

    const servedAuthorizations: Array<[string, string]> = [
      ["`Bearer` with several spaces before the key", "Bearer    KEY"],
      ["`bearer` in lower case", "bearer KEY"],
      ["a tab between `Bearer` and the key", "Bearer\tKEY"],
    ];
    for (const [name, authorization] of servedAuthorizations) {
      it(`${name} → 200`, async () => {
        const response = await post(authorization.replace("KEY", servedKey));
        expect(response.status, response.text).toBe(200);
      });
    }

    it("x-request-id with quotes, latin1 bytes and 8,000 characters → served", async () => {
      for (const requestId of ['"><script>', "\u00ff\u00fe\u0080", "r".repeat(8_000)]) {
        const response = await post(`Bearer ${servedKey}`, { "x-request-id": requestId });
        expect(response.status, response.text).toBe(200);
      }
    });

    const rawRequest = (headerLines: string) =>
      Buffer.from(`POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n${headerLines}Content-Length: 2\r\n\r\n{}`, "latin1");

    const rawCases: Array<[string, () => string, number]> = [
      ["NUL inside Authorization", () => `Authorization: Bearer ${refusedKey}\u0000\r\n`, 400],
      ["a lone CR inside x-request-id", () => `Authorization: Bearer ${refusedKey}\r\nX-Request-Id: a\rb\r\n`, 400],
      ["a header block over 16 KB", () => `Authorization: Bearer ${refusedKey}\r\nX-Padding: ${"p".repeat(20_000)}\r\n`, 431],
      ["a header name with a space", () => `Bad Header: x\r\nAuthorization: Bearer ${refusedKey}\r\n`, 400],
    ];
    for (const [name, lines, status] of rawCases) {
      it(`${name} (raw bytes) → ${status}`, async () => {
        const before = upstreamRequests();
        expectRefusal(await sendBytes(stack.baseUrl, rawRequest(lines())), status);
        expect(upstreamRequests()).toBe(before);
      });
    }

    it("every service still serves", () => expectStackServes());
  });

  describe("ids in queries and paths", () => {
    const generationLookups: Array<[string, string, number]> = [
      ["%00", "%00", 400],
      ["%0d%0a", "%0d%0a", 400],
      ["gen- and %00", "gen-%00", 400],
      ["10,000 characters", long, 400],
      ["U+2028", "%E2%80%A8", 400],
      ["an emoji", "%F0%9F%98%80", 400],
      ["a malformed percent escape", "%ZZ%E0%A4%A", 400],
      ["an upper-case UUID", `gen-${uuid.toUpperCase()}`, 400],
      ["twice", `gen-${uuid}&id=gen-${uuid}`, 400],
      ["empty", "", 400],
      ["a well-formed id nobody has", `gen-${randomUUID()}`, 404],
    ];
    for (const [name, id, status] of generationLookups) {
      it(`GET /generation?id= ${name} → ${status}`, async () => {
        expectRefusal(await send(stack.baseUrl, { path: `/generation?id=${id}`, headers: { authorization: `Bearer ${refusedKey}` } }), status);
      });
    }

    const admin = (method: string, path: string, body?: unknown) =>
      send(stack.baseUrl, {
        method,
        path,
        headers: { authorization: `Bearer ${stack.adminKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const accountIds: Array<[string, string, number]> = [
      ["%00", "%00", 400],
      ["%0d%0a", "%0d%0a", 400],
      ["a UUID followed by %00", `${uuid}%00`, 400],
      ["10,000 characters", long, 414],
      ["U+2028", "%E2%80%A8", 400],
      ["an emoji", "%F0%9F%98%80", 400],
      ["a malformed percent escape", "%E0%A4%A", 400],
      ["not a UUID", "not-a-uuid", 400],
      ["a UUID nobody has", randomUUID(), 404],
    ];
    for (const [name, id, status] of accountIds) {
      it(`GET and POST credits on /admin/accounts/{id} with ${name} → ${status}`, async () => {
        expectRefusal(await admin("GET", `/admin/accounts/${id}`), status);
        expectRefusal(await admin("POST", `/admin/accounts/${id}/credits`, { amount_usd: "1.00" }), status);
      });
    }

    it("POST /keys with a hostile account_id → 400, an unknown one → 404", async () => {
      for (const accountId of [nul, crlf, long, "", 42, null]) expectRefusal(await admin("POST", "/keys", { account_id: accountId, name: "k" }), 400);
      expectRefusal(await admin("POST", "/keys", { account_id: randomUUID(), name: "k" }), 404);
    });

    it("names with NUL or CR/LF, and names of 10,000 characters → 400 (NUL once answered 500)", async () => {
      for (const name of [nul, crlf, long]) {
        expectRefusal(await admin("POST", "/admin/accounts", { name }), 400);
        expectRefusal(await admin("POST", "/keys", { account_id: refusedAccountId, name }), 400);
      }
    });

    it("hostile amounts → 400 with a bounded message", async () => {
      for (const amount of [`1${crlf}`, `1${nul}`, "9".repeat(10_000), { value: 1 }, null]) {
        expectRefusal(await admin("POST", `/admin/accounts/${refusedAccountId}/credits`, { amount_usd: amount }), 400);
      }
    });

    it("an unknown route with NUL and CR/LF in its path → 404 quoting it safely", async () => {
      expectRefusal(await send(stack.baseUrl, { path: `/no-such-route/%00%0d%0a${long}` }), 404);
    });

    it("every service still serves", () => expectStackServes());
  });

  describe("hostile text from a provider", () => {
    it("a finish reason with NUL and CR/LF is relayed and recorded (PostgreSQL cannot store NUL)", async () => {
      stack.primary.addRule("odd finish reason", { text: "fine", finishReason: "stop\u0000\r\nevil" });
      const response = await send(stack.baseUrl, {
        path: "/chat/completions",
        headers: { "content-type": "application/json", authorization: `Bearer ${servedKey}` },
        body: JSON.stringify(chat({ messages: [{ role: "user", content: "odd finish reason" }] })),
      });
      expect(response.status, response.text).toBe(200);
      const completion = JSON.parse(response.text) as { id: string; choices: Array<{ native_finish_reason: string }> };
      expect(completion.choices[0]?.native_finish_reason).toBe("stop\u0000\r\nevil");
      const record = await waitFor(async () => {
        const lookup = await send(stack.baseUrl, { path: `/generation?id=${completion.id}`, headers: { authorization: `Bearer ${servedKey}` } });
        return lookup.status === 200 ? (JSON.parse(lookup.text) as { data: { native_finish_reason: string } }) : undefined;
      }, 5_000, "the generation record");
      expect(record.data.native_finish_reason).toBe("stop\ufffd\r\nevil");
    });
  });

  describe("the same hostile values sent straight to the services over NATS", () => {
    // The bus is locked down (issue 8): ingress is the only identity that may call billing, the connector,
    // the logging lookup and the router's listing, so a hostile value on those subjects comes from it.
    let ingress: NatsConnection;
    beforeAll(async () => {
      ingress = await stack.bus.connectAs(busIdentities.ingress, "hostile-input");
    });
    afterAll(async () => {
      await ingress?.close();
    });

    const failureOf = async (subject: string, payload: unknown) => {
      try {
        await requestReply(ingress, subject, payload, z.unknown(), { timeoutMs: 2_000 });
      } catch (thrown) {
        if (thrown instanceof SwitchboardError) return thrown.error;
        throw thrown;
      }
      throw new Error("expected an error reply");
    };

    it("router: a route request with CR/LF and NUL model ids (one once ended the router) is refused by the server whoever sends it", async () => {
      // Ingress ranks in process (refusing these ids over HTTP, above); the router's `route` endpoint is for
      // operators on an open bus, and no identity may call it, so nothing hostile reaches it there.
      const hostileRoutes = [...[crlf, nul, long].map((model) => ({ models: [model] })), { models: ["test/echo"], provider: { order: [crlf] } }];
      for (const identity of allBusIdentities) {
        const connection = await stack.bus.connectAs(identity, `hostile-input as ${identity}`, { expectRefusals: true });
        try {
          for (const payload of hostileRoutes) {
            expect(await isRefused(connection, { operation: "publish", subject: stack.subjects.routerRoute, payload }), identity).toBe(true);
          }
        } finally {
          await connection.close();
        }
      }
    });

    it("metadata-logging: generation ids with NUL or CR/LF → 400", async () => {
      for (const id of ["\u0000", `gen-${uuid}\r\n`, long]) {
        expect(await failureOf(stack.subjects.loggingGetGeneration, { id, accountId: refusedAccountId })).toMatchObject({ status: 400 });
      }
    });

    it("billing: account ids and names with NUL or CR/LF → 400", async () => {
      for (const accountId of [nul, crlf, long]) {
        expect(await failureOf(stack.subjects.billingGetAccount, { accountId })).toMatchObject({ status: 400 });
        expect(await failureOf(stack.subjects.billingGrantCredits, { accountId, amountMicros: 1, caller: testAdminCaller })).toMatchObject({ status: 400 });
      }
      expect(await failureOf(stack.subjects.billingCreateAccount, { name: nul, caller: testAdminCaller })).toMatchObject({ status: 400 });
      expect(await failureOf(stack.subjects.billingAuthenticateKey, { keyHash: crlf })).toMatchObject({ status: 400 });
      expect(await failureOf(stack.subjects.billingReserve, { generationId: nul, accountId: refusedAccountId, keyId: uuid, amountMicros: 1 })).toMatchObject({ status: 400 });
    });

    it("provider-connector: a reply subject with spaces, CR/LF or 10,000 characters → 400, nothing sent upstream", async () => {
      const before = upstreamRequests();
      for (const replyTo of ["a b", "_INBOX.a\r\nb", `_INBOX.${long}`, "_INBOX.>", ""]) {
        // An endpoint of the test catalog (`<model>@<provider>`), as ingress routes to it: only the reply subject is wrong.
        const generate = { generationId: `gen-${randomUUID()}`, endpointId: "test/echo@primary", body: chat(), stream: false, maxCompletionTokens: 10, replyTo };
        expect(await failureOf(stack.subjects.connectorGenerate, generate)).toMatchObject({ code: "invalid_request", status: 400 });
      }
      expect(upstreamRequests()).toBe(before);
    });

    it("payloads of the wrong shape (a string with CR/LF/NUL, an array with odd keys) → 400 from every service", async () => {
      for (const subject of [stack.subjects.routerListModels, stack.subjects.loggingGetGeneration, stack.subjects.billingGetAccount]) {
        expect(await failureOf(subject, "not json\r\n\u0000")).toMatchObject({ status: 400 });
        expect(await failureOf(subject, [null, { "\r\n": 1 }])).toMatchObject({ status: 400 });
      }
    });

    it("every service still answers on the bus and over HTTP", async () => {
      const models = await requestReply(ingress, stack.subjects.routerListModels, {}, listModelsReplySchema);
      expect(models.data.map((model) => model.id)).toContain("test/echo");
      const account = await requestReply(ingress, stack.subjects.billingGetAccount, { accountId: refusedAccountId }, z.object({ data: accountSchema }));
      expect(account.data.id).toBe(refusedAccountId);
      const missing = await requestReply(ingress, stack.subjects.loggingGetGeneration, { id: `gen-${randomUUID()}`, accountId: refusedAccountId }, getGenerationReplySchema).catch((thrown: unknown) => thrown);
      expect((missing as SwitchboardError).error).toMatchObject({ status: 404 });
      await expectStackServes();
    });
  });

  it("the refused account's balance never moved and nothing is held for it", async () => {
    const account = await send(stack.baseUrl, { path: `/admin/accounts/${refusedAccountId}`, headers: { authorization: `Bearer ${stack.adminKey}` } });
    expect(JSON.parse(account.text)).toMatchObject({ data: { balance_micros: 1_000_000, reserved_micros: 0 } });
    const rows = await stack.database.database.selectFrom("generations").select("account_id").where("account_id", "=", refusedAccountId).execute();
    expect(rows).toEqual([]);
  });
});
