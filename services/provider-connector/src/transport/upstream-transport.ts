import type { IncomingHttpHeaders } from "node:http";
import { Pool } from "undici";

/** How long the transport waits at each phase of an upstream call before giving up. */
export interface UpstreamTimeouts {
  /** Opening the TCP/TLS connection. */
  connectTimeoutMs: number;
  /** From sending the request until the response headers are complete. */
  headersTimeoutMs: number;
  /** Longest gap between two body chunks (not the whole body: streams may run for minutes). */
  bodyTimeoutMs: number;
}

/**
 * Defaults for the connector's `UPSTREAM_*_TIMEOUT_MS` settings. Headers may take long: reasoning models
 * think before the first byte. The body timeout is a gap between chunks, not a total.
 */
export const defaultUpstreamTimeouts: Readonly<UpstreamTimeouts> = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 120_000,
  bodyTimeoutMs: 120_000,
};

/** One HTTP call to a provider: the candidate's base URL plus what the adapter produced. */
export interface UpstreamHttpRequest {
  /** The provider's API root from the catalog, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** The adapter's path below `baseUrl`, e.g. `/chat/completions`. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Aborting destroys the request and its connection, so the provider stops generating (and billing). */
  signal: AbortSignal;
}

/** A response body read either whole or as a stream of chunks. */
export interface UpstreamResponseBody extends AsyncIterable<Uint8Array> {
  text(): Promise<string>;
  destroy(error?: Error): void;
}

export interface UpstreamHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: UpstreamResponseBody;
}

/** Provider-agnostic HTTP client of the connector. */
export interface UpstreamTransport {
  send(request: UpstreamHttpRequest): Promise<UpstreamHttpResponse>;
  /** Closes every pooled connection; call after in-flight generations have finished. */
  close(): Promise<void>;
}

/**
 * Creates the transport: one undici `Pool` per provider origin, kept in a map, so calls reuse warm
 * keep-alive connections (no TCP/TLS handshake on the hot path). undici rather than global `fetch`:
 * fetch measured about 4× slower per hop on this machine, and `Pool.request` gives us per-phase
 * timeouts and an abort that tears the socket down.
 */
export function createUpstreamTransport(timeouts: UpstreamTimeouts): UpstreamTransport {
  const pools = new Map<string, Pool>();

  function poolFor(origin: string): Pool {
    let pool = pools.get(origin);
    if (pool === undefined) {
      // keepAliveTimeout stays at undici's default (4 s, shortened by the server's Keep-Alive hint): a
      // longer one risks reusing a socket the provider already closed, and a POST is not retried.
      pool = new Pool(origin, { connect: { timeout: timeouts.connectTimeoutMs } });
      pools.set(origin, pool);
    }
    return pool;
  }

  return {
    async send(request) {
      const base = new URL(request.baseUrl);
      const basePath = base.pathname.replace(/\/+$/, "");
      const response = await poolFor(base.origin).request({
        method: "POST",
        path: `${basePath}${request.path}${base.search}`,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
        headersTimeout: timeouts.headersTimeoutMs,
        bodyTimeout: timeouts.bodyTimeoutMs,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    },
    async close() {
      const closing = [...pools.values()].map((pool) => pool.close());
      pools.clear();
      await Promise.all(closing);
    },
  };
}
