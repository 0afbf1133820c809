import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UpstreamStreamEvent } from "../providers/provider-adapter.js";
import type { UpstreamCredential } from "../providers/upstream-credential.js";
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
        response.writeHead(200, { "content-type": "text/event-stream" });
        // Split across writes so the parser sees events cut by the network.
        response.write(sseBody.slice(0, 11));
        response.end(sseBody.slice(11));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    transport = createUpstreamTransport(defaultUpstreamTimeouts, new Map([["test-hmac", testSigner]]));
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
});
