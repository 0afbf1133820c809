import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

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

/** An in-process OTLP/HTTP receiver of http/json trace exports, keeping every body it was sent. */
export interface OtlpReceiver {
  /** The traces URL to give the exporter: `http://127.0.0.1:<port>/v1/traces`. */
  readonly tracesUrl: string;
  /** Every span received so far. */
  spans(): OtlpSpan[];
  /** Every request body received so far, as sent: for scanning what left the process. */
  bodies(): string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/v1/traces" || !String(request.headers["content-type"]).startsWith("application/json")) {
        response.writeHead(415).end();
        return;
      }
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tracesUrl: `http://127.0.0.1:${port}/v1/traces`,
    spans: () =>
      bodies.flatMap((body) => ((JSON.parse(body) as OtlpExport).resourceSpans ?? []).flatMap((resource) => (resource.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []))),
    bodies: () => [...bodies],
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The value of a span's attribute, as a string or number; undefined when absent. */
export function attributeOf(span: Pick<OtlpSpan, "attributes">, key: string): string | number | boolean | undefined {
  const value = span.attributes?.find((attribute) => attribute.key === key)?.value;
  if (value === undefined) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.doubleValue ?? value.boolValue;
}
