import { httpMetrics } from "@switchboard/telemetry";
import fastifyPlugin from "fastify-plugin";

/** The route label of a request no route matched (a 404): one series for all of them, never the URL. */
export const unmatchedRoute = "unmatched";

/**
 * Counts and times every answered request (`switchboard_http_requests_total`,
 * `switchboard_http_request_duration_seconds`) by route pattern, method and status. A synchronous hook
 * over pre-bound series: no promise, no labels object and no key string per request.
 */
export const requestMetricsPlugin = fastifyPlugin(
  async (app) => {
    const metrics = httpMetrics();
    app.addHook("onResponse", (request, reply, done) => {
      metrics.record(request.routeOptions.url ?? unmatchedRoute, request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  },
  { name: "request-metrics" },
);
