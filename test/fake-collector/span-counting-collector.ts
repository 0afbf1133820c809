import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { gunzip, inflate } from "node:zlib";
import { countSpansInJson, countSpansInProtobuf } from "./count-otlp-spans.js";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** What a span-counting collector has received since it started. */
export interface SpanCounts {
  /** Trace exports (`POST /v1/traces`) answered 200. */
  exports: number;
  /** Spans in those exports. */
  spans: number;
  /** Bytes of those exports as sent (compressed, when they were). */
  bytes: number;
  /** Requests answered otherwise: another path or method, an unknown content type, a body that does not decode. */
  rejected: number;
}

export interface StartSpanCountingCollectorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

/** A running span-counting collector. */
export interface SpanCountingCollector {
  /** `http://<host>:<port>`: the `OTEL_EXPORTER_OTLP_ENDPOINT` to give exporters, which append `/v1/traces`. */
  readonly url: string;
  counts(): SpanCounts;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** The body without its content encoding; OTLP exporters send gzip when `OTEL_EXPORTER_OTLP_COMPRESSION=gzip`. */
async function decodedBody(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  switch ((encoding ?? "identity").trim().toLowerCase()) {
    case "identity":
    case "":
      return body;
    case "gzip":
      return gunzipAsync(body);
    case "deflate":
      return inflateAsync(body);
    default:
      throw new Error(`content-encoding ${encoding} is not supported`);
  }
}

/**
 * The benchmark's trace collector: an OTLP/HTTP receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp)
 * that accepts `POST /v1/traces` as http/protobuf and http/json, counts the spans and keeps nothing else,
 * so that what it costs stays small and constant under load, as a collector's receiver would for the
 * services. `GET /counts` answers the counts as JSON, for the benchmark's report.
 */
export async function startSpanCountingCollector(options: StartSpanCountingCollectorOptions = {}): Promise<SpanCountingCollector> {
  const counts: SpanCounts = { exports: 0, spans: 0, bytes: 0, rejected: 0 };

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?", 1)[0];
    if (request.method === "GET" && path === "/counts") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counts));
      return;
    }
    const body = await readBody(request);
    if (request.method !== "POST" || path !== "/v1/traces") {
      counts.rejected += 1;
      response.writeHead(404).end();
      return;
    }
    const contentType = (request.headers["content-type"] ?? "").split(";", 1)[0]?.trim().toLowerCase();
    const encoding = request.headers["content-encoding"];
    try {
      if (contentType === "application/x-protobuf") {
        counts.spans += countSpansInProtobuf(await decodedBody(body, encoding));
        // An empty ExportTraceServiceResponse: the export was accepted whole.
        response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      } else if (contentType === "application/json") {
        counts.spans += countSpansInJson((await decodedBody(body, encoding)).toString("utf8"));
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      } else {
        counts.rejected += 1;
        response.writeHead(415).end();
        return;
      }
    } catch {
      counts.rejected += 1;
      // 400 is not retried by the exporters (https://opentelemetry.io/docs/specs/otlp/#failures-1).
      if (!response.headersSent) response.writeHead(400).end();
      return;
    }
    counts.exports += 1;
    counts.bytes += body.length;
  }

  const server = createServer((request, response) => {
    answer(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
