import { httpMetrics } from "@switchboard/telemetry";
import fastifyPlugin from "fastify-plugin";

/** The route label of a request no route matched (a 404): one series for all of them, never the URL. */
export const unmatchedRoute = "unmatched";

/** The status label of a request whose client went away before its response ended (nginx's convention). */
export const clientClosedStatus = 499;

/**
 * Counts and times every request (`switchboard_http_requests_total`,
 * `switchboard_http_request_duration_seconds`) by route pattern, method and status, when its connection
 * is done with it: after the response's last byte, or when the client went away first (a cancelled
 * stream, status 499), which fastify's onResponse hook never hears. One listener per request, on the
 * response's `close` (which Node emits after `finish` too); series are pre-bound, nothing is awaited.
 */
export const requestMetricsPlugin = fastifyPlugin(
  async (app) => {
    const metrics = httpMetrics();
    app.addHook("onRequest", (request, reply, done) => {
      const startedAt = performance.now();
      const response = reply.raw;
      response.on("close", () => {
        const status = response.writableFinished ? response.statusCode : clientClosedStatus;
        metrics.record(request.routeOptions.url ?? unmatchedRoute, request.method, status, (performance.now() - startedAt) / 1000);
      });
      done();
    });
  },
  { name: "request-metrics" },
);
