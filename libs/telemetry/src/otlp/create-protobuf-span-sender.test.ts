import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { afterEach, describe, expect, it } from "vitest";
import { createProtobufSpanSender } from "./create-protobuf-span-sender.js";

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

/** An OTLP/HTTP collector that answers each request with the next of `statuses`, then 200. */
async function collector(statuses: number[]) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", contentType: String(request.headers["content-type"]), body: Buffer.concat(chunks) });
      const status = statuses.shift() ?? 200;
      // Retry-After 0: the exporter's retry then comes at once rather than after its backoff.
      response.writeHead(status, status === 200 ? { "content-type": "application/x-protobuf" } : { "retry-after": "0" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

const send = (sender: ReturnType<typeof createProtobufSpanSender>, body: Uint8Array) =>
  new Promise<ExportResult>((resolve) => sender.send(body, 1, resolve));

describe("createProtobufSpanSender", () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it("POSTs the encoded request as it is, as application/x-protobuf, to the URL given", async () => {
    const { url, received, close } = await collector([]);
    closers.push(close);
    const sender = createProtobufSpanSender(url);
    expect((await send(sender, Uint8Array.from([0x0a, 0x00]))).code).toBe(ExportResultCode.SUCCESS);
    expect(received).toEqual([{ path: "/v1/traces", contentType: "application/x-protobuf", body: Buffer.from([0x0a, 0x00]) }]);
    await sender.shutdown();
  });

  it("retries a collector that answers 503, as the OTLP exporter does, and succeeds when it recovers", async () => {
    const { url, received, close } = await collector([503, 503]);
    closers.push(close);
    const sender = createProtobufSpanSender(url);
    expect((await send(sender, Uint8Array.from([0x0a, 0x00]))).code).toBe(ExportResultCode.SUCCESS);
    expect(received).toHaveLength(3);
    await sender.shutdown();
  });

  it("gives up, without throwing, after OTEL_EXPORTER_OTLP_TRACES_TIMEOUT when nothing listens, and shuts down", async () => {
    const { url, close } = await collector([]);
    await close();
    process.env["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"] = "500";
    try {
      const sender = createProtobufSpanSender(url);
      const startedAt = Date.now();
      const result = await send(sender, Uint8Array.from([0x0a, 0x00]));
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error).toBeInstanceOf(Error);
      expect(Date.now() - startedAt).toBeLessThan(3_000);
      await sender.shutdown();
    } finally {
      delete process.env["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"];
    }
  });
});
