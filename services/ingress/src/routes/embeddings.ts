import { embeddingInputsOf, embeddingsRequestSchema, gatewayError, gatewayErrorCodes, invalidRequestError, SwitchboardError, type EmbeddingsRequest, type GatewayError } from "@switchboard/contracts";
import type { FastifyInstance, FastifyReply } from "fastify";
import { buildEmbeddingsResponse } from "../generation/build-embeddings-response.js";
import type { FallbackPolicy } from "../generation/fallback-policy.js";
import { Generation } from "../generation/generation.js";
import type { OutstandingFacts } from "../generation/outstanding-facts.js";
import { identityOf } from "../generation/identity-of.js";
import type { CreditLeases } from "../credit/credit-leases.js";
import { sendError } from "../plugins/send-error.js";
import type { ServiceClients } from "../plugins/service-clients.js";
import type { LocalRouting } from "../routing/local-routing.js";
import { admitModelCaller, type ModelCallerAdmission } from "./admit-model-caller.js";
import { abandon } from "./abandon-reply.js";
import { abortOnClientGone } from "./abort-on-client-gone.js";

export interface EmbeddingsRouteOptions extends ModelCallerAdmission {
  clients: ServiceClients;
  routing: LocalRouting;
  idleTimeoutMs: number;
  maximumDurationMs: number;
  fallback?: FallbackPolicy;
  shutdownSignal: AbortSignal;
  leases: CreditLeases | null;
  ingressId?: string;
  /** With `ingressId`: this replica's generations whose completion fact is not stored yet (issue 10). */
  outstandingFacts?: OutstandingFacts;
}

/**
 * POST /api/v1/embeddings (OpenAI's shape, https://platform.openai.com/docs/api-reference/embeddings):
 * one generation like a chat completion — the same key checks, routing restricted to embedding models,
 * credit held for every input token at the dearest candidate, fallback before any vector, settlement of
 * the input tokens at the serving endpoint's prompt price through the completion fact — answered whole.
 */
export async function embeddingsRoutes(app: FastifyInstance, options: EmbeddingsRouteOptions): Promise<void> {
  app.post("/api/v1/embeddings", async (request, reply) => {
    const abort = abortOnClientGone(reply);
    let generation: Generation | undefined;
    try {
      const key = await admitModelCaller(options, request);
      const body = parseEmbeddingsRequest(request.body);
      generation = new Generation({
        clients: options.clients,
        routing: options.routing,
        idleTimeoutMs: options.idleTimeoutMs,
        maximumDurationMs: options.maximumDurationMs,
        ...(options.fallback ? { fallback: options.fallback } : {}),
        shutdownSignal: options.shutdownSignal,
        key,
        embeddings: body,
        promptBytes: request.promptBytes,
        leases: options.leases,
        // Sticky routing serves prompt caches; an embedding has none to reuse.
        stickyEndpoints: null,
        ...(options.ingressId === undefined ? {} : { ingressId: options.ingressId }),
        ...(options.outstandingFacts === undefined ? {} : { outstandingFacts: options.outstandingFacts }),
      });
      request.generation = generation;
      await generation.prepare();
      reply.header("x-generation-id", generation.id);
      try {
        await generation.connect(abort.signal);
      } catch (error) {
        generation.publishFact(false);
        throw error;
      }
      if (generation.wasCancelled) {
        generation.publishFact(false);
        return abandon(reply);
      }
      await respond(generation, body, reply, abort.signal);
      return reply;
    } catch (error) {
      if (!(error instanceof SwitchboardError)) generation?.failUnexpectedly();
      throw error;
    } finally {
      abort.dispose();
      generation?.publishFact(false);
      generation?.dispose();
    }
  });
}

function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "Request body must be a JSON object with `model` and `input`."));
  }
  const parsed = embeddingsRequestSchema.safeParse(body);
  if (!parsed.success) throw new SwitchboardError(invalidRequestError(parsed.error));
  return parsed.data;
}

async function respond(generation: Generation, body: EmbeddingsRequest, reply: FastifyReply, signal: AbortSignal): Promise<void> {
  let failure: GatewayError | undefined;
  for await (const part of generation.parts(signal)) {
    if (part.type === "error") failure = part.error;
  }
  if (generation.wasCancelled) {
    generation.publishFact(false);
    abandon(reply);
    return;
  }
  const embeddings = generation.accumulator.embeddings;
  if (failure === undefined && holdsEveryVector(embeddings, embeddingInputsOf(body.input).length)) {
    const { usage } = generation.chargeableUsage(true);
    await reply.code(200).send(buildEmbeddingsResponse(identityOf(generation), embeddings, body.encoding_format ?? "float", usage, generation.costMicros(usage)));
    generation.publishFact(true);
    return;
  }
  if (failure === undefined) {
    // The connector checks the count against the provider's answer; a gap here is a bug, never a partial answer.
    generation.failUnexpectedly();
    failure = gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true });
  }
  generation.publishFact(false);
  await sendError(reply, failure);
}

/** True when there is exactly one vector per input, none missing. */
function holdsEveryVector(embeddings: readonly (number[] | undefined)[], expected: number): embeddings is readonly number[][] {
  if (embeddings.length !== expected) return false;
  for (let index = 0; index < expected; index++) if (embeddings[index] === undefined) return false;
  return true;
}
