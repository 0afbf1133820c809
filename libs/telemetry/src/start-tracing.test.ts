import { spawn } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";

const repositoryRoot = new URL("../../../", import.meta.url).pathname;

/** What a process started as the services are (`--import @switchboard/telemetry/start-tracing`) runs: one span, then the shutdown flush. */
const program = `
import { trace } from "@opentelemetry/api";
import { shutdownTracing } from "@switchboard/telemetry";
trace.getTracer("probe").startSpan("probe-span").end();
await shutdownTracing();
`;

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

/** A service's way of logging: the shared logger, inside a span and outside any, to stdout. */
const loggingProgram = `
import { trace } from "@opentelemetry/api";
import { createLogger, shutdownTracing } from "@switchboard/telemetry";
const logger = createLogger("probe");
trace.getTracer("probe").startActiveSpan("logged-span", (span) => {
  logger.info({ generation_id: "gen-probe" }, "inside");
  span.end();
});
logger.info("outside");
await shutdownTracing();
`;

const databaseUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A service's library calls as they run in a consumer's span: a statement through kysely's pg pool
 * (@switchboard/db, `pg` loaded by `import` as the services load it) with a parameter, and an undici
 * request to a provider with a key in its headers and a query string in its URL; then one more request
 * outside any span. It prints the headers the provider received.
 */
const libraryProgram = `
import { createServer } from "node:http";
import { SpanKind, trace } from "@opentelemetry/api";
import { createDatabase } from "@switchboard/db";
import { shutdownTracing } from "@switchboard/telemetry";
import { sql } from "kysely";
import { Pool } from "undici";
const received = [];
const provider = createServer((request, response) => { received.push(request.headers); response.end("{}"); });
await new Promise((resolve) => provider.listen(0, "127.0.0.1", resolve));
const upstream = new Pool("http://127.0.0.1:" + provider.address().port);
const send = async (path = "/v1/chat/completions?token=query-secret") => (await upstream.request({ method: "POST", path, headers: { authorization: "Bearer header-secret" }, body: "{}" })).body.text();
const database = createDatabase({ connectionString: ${JSON.stringify(databaseUrl)} });
await trace.getTracer("probe").startActiveSpan("consume", { kind: SpanKind.CONSUMER }, async (span) => {
  await sql\`select \${"parameter-secret"}::text as value\`.execute(database);
  await send();
  await send("/v1/messages");
  span.end();
});
await send();
await Promise.all([database.destroy(), upstream.close()]);
provider.close();
await shutdownTracing();
console.log(JSON.stringify(received));
`;

/** What a process has of the instrumentations: undici's channel subscribers, pg's patch. */
const untracedLibraryProgram = `
import { channel } from "node:diagnostics_channel";
import pg from "pg";
console.log(JSON.stringify({ undici: channel("undici:request:create").hasSubscribers, pg: "__wrapped" in pg.Client.prototype.query }));
`;

/** Runs the program with the given environment until it exits; its stderr, which must stay empty. */
async function runTraced(environment: Record<string, string>): Promise<string> {
  return (await runProgram(program, environment)).stderr;
}

/** Runs a program as a service runs (`--import` first) until it exits; what it wrote. */
function runProgram(source: string, environment: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "@switchboard/telemetry/start-tracing", "--input-type=module", "-e", source], {
      cwd: repositoryRoot,
      env: { PATH: process.env["PATH"] ?? "", ...environment },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", () => resolve({ stdout, stderr }));
  });
}

describe("start-tracing, as node --import loads it in every service (needs the build)", () => {
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  const httpReceiver = async () => {
    const received: Received[] = [];
    const server = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ path: request.url ?? "", contentType: String(request.headers["content-type"]), body: Buffer.concat(chunks) });
        response.writeHead(200, { "content-type": String(request.headers["content-type"]) }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => server.close());
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
  };

  it("exports OTLP http/protobuf by default to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, with the service's resource", async () => {
    const { url, received } = await httpReceiver();
    expect(await runTraced({ OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_SERVICE_NAME: "switchboard-probe" })).toBe("");
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: "/v1/traces", contentType: "application/x-protobuf" });
    // Protobuf strings are their UTF-8 bytes: the names are there without decoding the message.
    const body = received[0]?.body.toString("latin1") ?? "";
    for (const text of ["switchboard-probe", "probe-span", "service.instance.id", "service.version"]) expect(body).toContain(text);
  });

  it("exports OTLP http/json when OTEL_EXPORTER_OTLP_PROTOCOL says so, to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given", async () => {
    const { url, received } = await httpReceiver();
    expect(await runTraced({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/custom/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_SERVICE_NAME: "switchboard-probe" })).toBe("");
    expect(received[0]).toMatchObject({ path: "/custom/traces", contentType: "application/json" });
    const exported = JSON.parse(received[0]?.body.toString("utf8") ?? "{}") as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string }> }; scopeSpans: Array<{ spans: Array<{ name: string }> }> }> };
    expect(exported.resourceSpans[0]?.resource.attributes.map((attribute) => attribute.key)).toEqual(expect.arrayContaining(["service.name", "service.version", "service.instance.id"]));
    expect(exported.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name).toBe("probe-span");
  });

  it("exports OTLP grpc when OTEL_EXPORTER_OTLP_PROTOCOL=grpc", async () => {
    const paths: string[] = [];
    const server = createHttp2Server((request, response) => {
      paths.push(request.url);
      request.resume();
      request.on("end", () => {
        // An empty ExportTraceServiceResponse: a 5-byte gRPC frame header of length 0, and status OK.
        response.writeHead(200, { "content-type": "application/grpc" });
        response.addTrailers({ "grpc-status": "0" });
        response.end(Buffer.alloc(5));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await runTraced({ OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toBe("");
    expect(paths).toEqual(["/opentelemetry.proto.collector.trace.v1.TraceService/Export"]);
  });

  it("has the shared logger name the exported span a line was written in, and no trace outside it", async () => {
    const { url, received } = await httpReceiver();
    const { stdout, stderr } = await runProgram(loggingProgram, { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
    expect(stderr).toBe("");
    const exported = JSON.parse(received[0]?.body.toString("utf8") ?? "{}") as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; spanId: string }> }> }> };
    const span = exported.resourceSpans[0]?.scopeSpans[0]?.spans.find((candidate) => candidate.name === "logged-span");
    const [inside, outside] = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ service: "probe", msg: "inside", generation_id: "gen-probe", trace_id: span?.traceId, span_id: span?.spanId });
    expect(inside?.["trace_id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(outside).toMatchObject({ service: "probe", msg: "outside" });
    expect(outside).not.toHaveProperty("trace_id");
  });

  it("logs no trace fields with tracing off", async () => {
    const { stdout } = await runProgram(loggingProgram, {});
    const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line["msg"])).toEqual(["inside", "outside"]);
    for (const line of lines) expect(line).not.toHaveProperty("trace_id");
  });

  it("traces pg statements without their parameters and undici requests without headers or query, sending providers no trace context", async () => {
    const { url, received } = await httpReceiver();
    const { stdout, stderr } = await runProgram(libraryProgram, { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
    expect(stderr).toBe("");
    const providerHeaders = JSON.parse(stdout) as Array<Record<string, string>>;
    expect(providerHeaders).toHaveLength(3);
    for (const headers of providerHeaders) expect(Object.keys(headers).filter((name) => ["traceparent", "tracestate"].includes(name))).toEqual([]);

    type Span = { name: string; kind: number; spanId: string; parentSpanId?: string; attributes: Array<{ key: string; value: Record<string, unknown> }> };
    const bodies = received.map((request) => request.body.toString("utf8"));
    const spans = bodies.flatMap((body) => (JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Span[] }> }> }).resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)));
    const attribute = (span: Span | undefined, key: string) => Object.values(span?.attributes.find((candidate) => candidate.key === key)?.value ?? {})[0];
    const consume = spans.find((span) => span.name === "consume");
    const client = 3;
    const statements = spans.filter((span) => attribute(span, "db.system.name") === "postgresql");
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ kind: client, parentSpanId: consume?.spanId });
    expect(attribute(statements[0], "db.query.text")).toBe("select $1::text as value");
    const requests = spans.filter((span) => attribute(span, "http.request.method") === "POST");
    // Two: the request outside any span made none.
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request).toMatchObject({ name: "POST", kind: client, parentSpanId: consume?.spanId });
      expect(attribute(request, "url.query")).toBe("");
      expect(attribute(request, "http.response.status_code")).toBe(200);
    }
    // The query dropped from the URL that had one; the other as the instrumentation wrote it.
    expect(requests.map((request) => attribute(request, "url.full"))).toEqual([
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions$/),
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1\/messages$/),
    ]);
    for (const secret of ["parameter-secret", "header-secret", "query-secret"]) expect(bodies.join("\n")).not.toContain(secret);
  });

  it("loads no instrumentation with tracing off: no undici channel subscriber, pg unpatched", async () => {
    const { stdout, stderr } = await runProgram(untracedLibraryProgram, {});
    expect(stderr).toBe("");
    expect(JSON.parse(stdout)).toEqual({ undici: false, pg: false });
  });

  it("turns an instrumentation off when OTEL_NODE_DISABLED_INSTRUMENTATIONS names it, and keeps the other", async () => {
    const { url } = await httpReceiver();
    const withoutPg = await runProgram(untracedLibraryProgram, { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_NODE_DISABLED_INSTRUMENTATIONS: "pg" });
    expect(withoutPg.stderr).toBe("");
    expect(JSON.parse(withoutPg.stdout)).toEqual({ undici: true, pg: false });
    const onlyPg = await runProgram(untracedLibraryProgram, { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_NODE_ENABLED_INSTRUMENTATIONS: "pg" });
    expect(JSON.parse(onlyPg.stdout)).toEqual({ undici: false, pg: true });
  });

  it("exports nothing without an endpoint", async () => {
    const { received } = await httpReceiver();
    expect(await runTraced({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })).toBe("");
    expect(received).toHaveLength(0);
  });
});
