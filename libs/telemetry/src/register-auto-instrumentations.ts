import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import type { TracerProvider } from "@opentelemetry/api";
import type { LibraryInstrumentationName } from "./library-instrumentation-names.js";

/**
 * The library instrumentations a service gets with tracing on (all by default; `names` says which:
 * library-instrumentation-names.ts), loaded only then (start-tracing-sdk.ts):
 *
 * - undici, through its diagnostics channels (no module patching): an HTTP CLIENT span per request the
 *   connector sends a provider, under the connector's own upstream span. Only with a parent, so a stray
 *   request outside any traced work makes no root trace. No header is recorded (an `authorization` or
 *   `x-api-key` would be a key) and the URL loses its query string; bodies are never read. No trace
 *   context goes out with it (BusOnlyPropagator).
 * - pg, patched in `require` (kysely's `pg` pool, loaded through `import` of the CommonJS package, is
 *   patched too: start-tracing.test.ts checks it in a real process): a CLIENT span per statement with the
 *   statement text and never its parameter values (`enhancedDatabaseReporting` off), under the span that
 *   ran it (billing's and metadata-logging's consumer spans, the router's work). Pool connects are not
 *   worth a span each.
 *
 * Fastify gets none: ingress makes its own HTTP SERVER span per request (services/ingress/src/plugins/
 * trace-requests.ts), named by route pattern and without the URL; @fastify/otel would make a second one.
 */
export function registerAutoInstrumentations(tracerProvider: TracerProvider, names: readonly LibraryInstrumentationName[]): () => void {
  return registerInstrumentations({
    tracerProvider,
    instrumentations: names.map((name) => (name === "undici" ? undiciInstrumentation() : pgInstrumentation())),
  });
}

function undiciInstrumentation(): UndiciInstrumentation {
  return new UndiciInstrumentation({
    requireParentforSpans: true,
    startSpanHook: (request) => {
      // Without a query the instrumentation's own url.full has none to drop: no second URL to parse.
      if (!request.path.includes("?")) return {};
      const url = new URL(request.path, request.origin);
      return { "url.full": `${url.origin}${url.pathname}`, "url.query": "" };
    },
  });
}

function pgInstrumentation(): PgInstrumentation {
  return new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true, ignoreConnectSpans: true });
}
