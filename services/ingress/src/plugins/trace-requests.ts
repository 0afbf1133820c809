import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context } from "@opentelemetry/api";
import { isTracing, switchboardTracer } from "@switchboard/telemetry";
import fastifyPlugin from "fastify-plugin";

declare module "fastify" {
  interface FastifyRequest {
    /** With tracing on, the context whose active span is this request's SERVER span (trace-requests.ts). */
    traceContext: Context | null;
  }
}

/**
 * The root SERVER span of every HTTP request (OTel HTTP semantic conventions): named by method and route
 * pattern, never the URL (a query string may carry anything), continuing the caller's `traceparent` when
 * it sends one. The request's hooks and its handler run with the span active, so the generation and the
 * NATS messages it sends are its children. Registered only when tracing is on: off, it adds no hook.
 */
export const traceRequestsPlugin = fastifyPlugin(
  async (app) => {
    if (!isTracing()) return;
    // A field of every request rather than a WeakMap keyed by request: issue 12, what tracing costs.
    app.decorateRequest("traceContext", null);
    app.addHook("onRequest", (request, reply, done) => {
      const route = request.routeOptions.url;
      const span = switchboardTracer().startSpan(
        route === undefined ? request.method : `${request.method} ${route}`,
        { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method, ...(route === undefined ? {} : { "http.route": route }) } },
        propagation.extract(ROOT_CONTEXT, request.headers),
      );
      const active = trace.setSpan(context.active(), span);
      request.traceContext = active;
      // "close" comes after the response is sent and also when the client goes away first.
      reply.raw.once("close", () => {
        const status = reply.raw.statusCode;
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        if (!reply.raw.writableFinished) span.setAttribute("switchboard.client_gone", true);
        span.end();
      });
      context.with(active, done);
    });
    // The body is parsed in the socket's events, outside the context set above: set it again for the handler.
    app.addHook("preHandler", (request, _reply, done) => {
      const active = request.traceContext;
      if (active === null) done();
      else context.with(active, done);
    });
  },
  { name: "trace-requests" },
);
