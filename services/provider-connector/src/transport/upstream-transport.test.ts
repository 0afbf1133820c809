import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UpstreamStreamEvent } from "../providers/provider-adapter.js";
import type { UpstreamCredential } from "../providers/upstream-credential.js";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/core/serde";
import { awsSigV4SignerName, createAwsSigV4Signer } from "./aws-sigv4-signer.js";
import { readUpstreamStream } from "./read-upstream-stream.js";
import type { RequestSigner } from "./request-signer.js";
import { createUpstreamTransport, defaultUpstreamTimeouts, type UpstreamTransport } from "./upstream-transport.js";

/** What the local server received, per request. */
interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Signs method, path with query, and body with HMAC-SHA256: a stand-in shaped like AWS SigV4, checked by the server below. */
const testSigner: RequestSigner = {
  async sign(request, secret, parameters) {
    const canonical = [request.method, `${request.url.pathname}${request.url.search}`, request.headers["content-type"] ?? "", request.body].join("\n");
    return { "x-test-signature": createHmac("sha256", `${secret}/${parameters["region"]}`).update(canonical).digest("hex") };
  },
};

const eventStreamCodec = new EventStreamCodec(toUtf8, fromUtf8);
const eventStreamBody = Buffer.concat(
  ["messageStart", "messageStop"].map((name) =>
    eventStreamCodec.encode({
      headers: { ":message-type": { type: "string", value: "event" }, ":event-type": { type: "string", value: name } },
      body: fromUtf8(JSON.stringify({ name })),
    }),
  ),
);

const sseBody = 'event: message\r\ndata: {"n":1}\r\n\r\n: keep-alive\n\ndata: {"n":2}\n\ndata: [DONE]\n\n';

describe("upstream transport over real HTTP", () => {
  const received: Received[] = [];
  let server: Server;
  let origin: string;
  let transport: UpstreamTransport;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (body += chunk));
      request.on("end", () => {
        received.push({ url: request.url ?? "", headers: request.headers, body });
        if ((request.url ?? "").startsWith("/model/")) {
          response.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
          response.write(eventStreamBody.subarray(0, 9));
          response.end(eventStreamBody.subarray(9));
          return;
        }
        response.writeHead(200, { "content-type": "text/event-stream" });
        // Split across writes so the parser sees events cut by the network.
        response.write(sseBody.slice(0, 11));
        response.end(sseBody.slice(11));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    transport = createUpstreamTransport(
      defaultUpstreamTimeouts,
      new Map([
        ["test-hmac", testSigner],
        [awsSigV4SignerName, createAwsSigV4Signer()],
      ]),
    );
  });

  afterAll(async () => {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  });

  async function send(credential: UpstreamCredential, apiKey: string | undefined, url = `${origin}/api/v1/chat/completions?api-version=2024-10-21`) {
    const response = await transport.send({
      url,
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: '{"model":"m"}',
      credential,
      apiKey,
      signal: new AbortController().signal,
    });
    const events: UpstreamStreamEvent[] = [];
    for await (const event of readUpstreamStream(response.body, "server-sent-events")) events.push(event);
    return { status: response.status, events, received: received.at(-1)! };
  }

  it("posts the adapter's body to exactly the URL it built, path and query included", async () => {
    const { status, received: request } = await send({ scheme: "none" }, undefined);
    expect(status).toBe(200);
    expect(request.url).toBe("/api/v1/chat/completions?api-version=2024-10-21");
    expect(request.body).toBe('{"model":"m"}');
    expect(request.headers["content-type"]).toBe("application/json");
  });

  it("sends the key as a Bearer token", async () => {
    const { received: request } = await send({ scheme: "bearer" }, "sk-1");
    expect(request.headers["authorization"]).toBe("Bearer sk-1");
  });

  it("sends the key in the named header, and nothing in Authorization", async () => {
    const { received: request } = await send({ scheme: "header", headerName: "x-api-key" }, "sk-ant");
    expect(request.headers["x-api-key"]).toBe("sk-ant");
    expect(request.headers["authorization"]).toBeUndefined();
  });

  it("sends no credential for scheme none even with a key, nor for a keyless endpoint whatever the scheme", async () => {
    const withNone = (await send({ scheme: "none" }, "sk-unused")).received;
    expect(JSON.stringify(withNone.headers)).not.toContain("sk-unused");
    const keyless = (await send({ scheme: "bearer" }, undefined)).received;
    expect(keyless.headers["authorization"]).toBeUndefined();
  });

  it("signs the final URL and body with the named signer", async () => {
    const { received: request } = await send({ scheme: "signature", signer: "test-hmac", parameters: { region: "us-east-1" } }, "secret");
    const expected = createHmac("sha256", "secret/us-east-1")
      .update(["POST", request.url, "application/json", request.body].join("\n"))
      .digest("hex");
    expect(request.headers["x-test-signature"]).toBe(expected);
  });

  it("refuses a signature scheme whose signer it does not have, before sending anything", async () => {
    const before = received.length;
    await expect(send({ scheme: "signature", signer: "aws-sigv4", parameters: {} }, "secret")).rejects.toMatchObject({
      error: { status: 502, retryable: true },
    });
    expect(received).toHaveLength(before);
  });

  it("parses a server-sent-events body by the declared framing, comments and CRLF included", async () => {
    const { events } = await send({ scheme: "none" }, undefined);
    expect(events).toEqual([{ event: "message", data: '{"n":1}' }, { data: '{"n":2}' }, { data: "[DONE]" }]);
  });

  it("signs with AWS SigV4 over the final request and parses an AWS event-stream body by its declared framing", async () => {
    const response = await transport.send({
      url: `${origin}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream`,
      headers: { "content-type": "application/json" },
      body: "{}",
      credential: { scheme: "signature", signer: awsSigV4SignerName, parameters: { region: "us-east-1" } },
      apiKey: "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      signal: new AbortController().signal,
    });
    const events: UpstreamStreamEvent[] = [];
    for await (const event of readUpstreamStream(response.body, "aws-event-stream")) events.push(event);
    expect(events).toEqual([
      { event: "messageStart", data: '{"name":"messageStart"}' },
      { event: "messageStop", data: '{"name":"messageStop"}' },
    ]);
    const request = received.at(-1)!;
    expect(request.url).toBe("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
    expect(request.headers["authorization"]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(request.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
  });
});
