import type { FastifyReply, FastifyRequest } from "fastify";
import fastifyPlugin from "fastify-plugin";
import type { Generation } from "../generation/generation.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The chat completion this request ran, once it has one; read by the access log. */
    generation: Generation | null;
  }
}

export interface AccessLogOptions {
  enabled: boolean;
}

/**
 * The opt-in access log (ACCESS_LOG): one info line per request when its response has been sent, with
 * the route pattern rather than the URL (a query string may carry anything) and, for a completion, what
 * it ran on and cost. Never headers (API keys) or bodies (prompts, completions). With tracing on, the
 * logger adds the request's `trace_id` and `span_id` (its HTTP span is still active when the reply ends).
 */
export const accessLogPlugin = fastifyPlugin(
  async (app, options: AccessLogOptions) => {
    app.decorateRequest("generation", null);
    if (!options.enabled) return;
    app.addHook("onResponse", async (request, reply) => {
      request.log.info(accessLogFields(request, reply), "request completed");
    });
  },
  { name: "access-log" },
);

function accessLogFields(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    method: request.method,
    route: request.routeOptions.url ?? null,
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
  };
  const generation = request.generation;
  if (!generation) return fields;
  // Tokens and cost only as the provider reported them; an estimate is the fact's business, not the log's.
  const usage = generation.accumulator.usage;
  return {
    ...fields,
    generation_id: generation.id,
    model: generation.candidate?.modelId ?? null,
    provider: generation.candidate?.providerName ?? null,
    promptTokens: usage?.promptTokens ?? null,
    completionTokens: usage?.completionTokens ?? null,
    costMicros: usage ? generation.costMicros(usage) : null,
  };
}
