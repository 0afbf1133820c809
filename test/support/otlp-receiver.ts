import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { otlpTraceRequest } from "./otlp-trace-request-type.js";

/** One attribute of OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding). */
export interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean; arrayValue?: { values: OtlpAttribute["value"][] } };
}

/** A span as the OTLP http/json exporter sends it: ids in hex, kind 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  events?: { name: string; timeUnixNano: string | number; attributes?: OtlpAttribute[] }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}

interface OtlpExport {
  resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

/** An in-process OTLP/HTTP receiver of http/json and http/protobuf trace exports, keeping every body it was sent. */
export interface OtlpReceiver {
  /** The traces URL to give the exporter: `http://127.0.0.1:<port>/v1/traces`. */
  readonly tracesUrl: string;
  /** Every span received so far. */
  spans(): OtlpSpan[];
  /** Every request body received so far, as sent (protobuf as latin1, which keeps its strings' UTF-8 bytes readable): for scanning what left the process. */
  bodies(): string[];
  /** The content type of each body received, in order: which encoding the exporter used. */
  contentTypes(): string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  const exports: OtlpExport[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const contentType = String(request.headers["content-type"]);
      const body = Buffer.concat(chunks);
      if (request.method !== "POST" || request.url !== "/v1/traces" || !(contentType.startsWith("application/json") || contentType.startsWith("application/x-protobuf"))) {
        response.writeHead(415).end();
        return;
      }
      contentTypes.push(contentType);
      if (contentType.startsWith("application/json")) {
        bodies.push(body.toString("utf8"));
        exports.push(JSON.parse(body.toString("utf8")) as OtlpExport);
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
        return;
      }
      bodies.push(body.toString("latin1"));
      exports.push(fromProtobuf(body));
      // An empty ExportTraceServiceResponse.
      response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tracesUrl: `http://127.0.0.1:${port}/v1/traces`,
    spans: () => exports.flatMap((exported) => (exported.resourceSpans ?? []).flatMap((resource) => (resource.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []))),
    bodies: () => [...bodies],
    contentTypes: () => [...contentTypes],
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A protobuf export as the JSON encoding has it: ids in hex, 64-bit numbers as strings (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding). */
function fromProtobuf(body: Buffer): OtlpExport {
  const decoded = otlpTraceRequest.toObject(otlpTraceRequest.decode(body), { longs: String, bytes: String, enums: Number }) as OtlpExport;
  const hex = (base64: string | undefined) => (base64 ? Buffer.from(base64, "base64").toString("hex") : undefined);
  for (const resource of decoded.resourceSpans ?? []) {
    for (const scope of resource.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        span.traceId = hex(span.traceId) ?? "";
        span.spanId = hex(span.spanId) ?? "";
        const parentSpanId = hex(span.parentSpanId);
        if (parentSpanId === undefined) delete span.parentSpanId;
        else span.parentSpanId = parentSpanId;
        for (const link of span.links ?? []) {
          link.traceId = hex(link.traceId) ?? "";
          link.spanId = hex(link.spanId) ?? "";
        }
      }
    }
  }
  return decoded;
}

/** The value of a span's attribute, as a string or number; undefined when absent. */
export function attributeOf(span: Pick<OtlpSpan, "attributes">, key: string): string | number | boolean | undefined {
  const value = span.attributes?.find((attribute) => attribute.key === key)?.value;
  if (value === undefined) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.doubleValue ?? value.boolValue;
}
