import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { processMetricsRegistry } from "./process-metrics-registry.js";

/** One thing a service needs to do its work, asked at each `/readyz`: true when it answers. */
export type ReadinessCheck = () => Promise<boolean>;

export interface OperationsServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Defaults to all interfaces, so Prometheus and the orchestrator reach it from outside the pod. */
  host?: string;
  /** By name, e.g. `{ nats, database }`; `/readyz` answers 200 only when every one says true. */
  readinessChecks: Readonly<Record<string, ReadinessCheck>>;
  /** Longest a check may take before it counts as failed (default 1 s): a probe must answer fast. */
  checkTimeoutMs?: number;
  /** Defaults to this process's registry. */
  registry?: Registry;
}

/** A running operations listener; `close()` stops it. */
export interface OperationsServer {
  readonly port: number;
  /** `http://<host>:<port>`, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The operations listener of a service without an HTTP API of its own (router, provider connector,
 * billing, metadata-logging), on its own port (OPERATIONS_PORT), plain node:http: nothing on it is on a
 * request path, and a framework would only add start-up time.
 *
 * - `GET /metrics`: the process's Prometheus registry, text exposition format.
 * - `GET /healthz`: 200 while the process runs (liveness).
 * - `GET /readyz`: 200 when every readiness check passes, 503 otherwise; the JSON body says which
 *   (`{"status":"not ready","checks":{"nats":true,"database":false},"failed":["database"]}`).
 */
export async function startOperationsServer(options: OperationsServerOptions): Promise<OperationsServer> {
  const registry = options.registry ?? processMetricsRegistry();
  const checkTimeoutMs = options.checkTimeoutMs ?? 1_000;
  const server = createServer((request, response) => {
    void answer(request, response, registry, options.readinessChecks, checkTimeoutMs);
  });
  // Probes and scrapes come every few seconds: an idle keep-alive connection need not be held long.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    port: address.port,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host === "[::]" ? "[::1]" : host}:${address.port}`,
    close: () => closeServer(server),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  registry: Registry,
  checks: Readonly<Record<string, ReadinessCheck>>,
  checkTimeoutMs: number,
): Promise<void> {
  const path = (request.url ?? "/").split("?", 1)[0];
  try {
    if (request.method !== "GET" && request.method !== "HEAD") {
      sendJson(response, 405, { error: { code: 405, message: "Only GET is answered here." } }, { allow: "GET, HEAD" });
      return;
    }
    if (path === "/metrics") {
      const text = await registry.metrics();
      response.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : text);
      return;
    }
    if (path === "/healthz") {
      sendJson(response, 200, { status: "ok" });
      return;
    }
    if (path === "/readyz") {
      const results = await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await passesWithin(check, checkTimeoutMs)] as const));
      const failed = results.filter(([, passed]) => !passed).map(([name]) => name);
      const ready = failed.length === 0;
      sendJson(response, ready ? 200 : 503, { status: ready ? "ready" : "not ready", checks: Object.fromEntries(results), ...(ready ? {} : { failed }) });
      return;
    }
    sendJson(response, 404, { error: { code: 404, message: "Not found. This port serves /metrics, /healthz and /readyz." } });
  } catch {
    // A metric's collect() failed: the scrape fails visibly (Prometheus marks the target down) rather than lying.
    if (!response.headersSent) sendJson(response, 500, { error: { code: 500, message: "Internal error" } });
    else response.destroy();
  }
}

/** True when `check` resolves to true within `timeoutMs`; a throw or a timeout is a failed check. */
async function passesWithin(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, timeoutMs, false);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store", ...headers });
  response.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Idle keep-alive connections of a scraper would hold close() open until they time out.
    server.closeIdleConnections();
  });
}
