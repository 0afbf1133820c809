import { embeddingInputsOf, embeddingsRequestSchema, type EmbeddingsRequest, type EmbeddingsResponse } from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import { buildEmbeddingsResponse } from "../generation/build-embeddings-response.js";
import { Generation } from "../generation/generation.js";
import { identityOf } from "../generation/identity-of.js";
import { admitModelCaller, type ModelCallerAdmission } from "./admit-model-caller.js";
import { abortOnClientGone } from "./abort-on-client-gone.js";
import { parseRequestBody } from "./parse-request-part.js";
import { answerWholeGeneration, endGenerationExchange, recordUnexpectedFailure, routeGenerationSettings, type GenerationRouteOptions } from "./generation-exchange.js";

export type EmbeddingsRouteOptions = GenerationRouteOptions & ModelCallerAdmission;

/**
 * POST /api/v1/embeddings (OpenAI's shape, https://platform.openai.com/docs/api-reference/embeddings):
 * one generation like a chat completion — the same key checks, routing restricted to embedding models,
 * credit held for every input token at the dearest candidate, fallback before any vector, settlement of
 * the input tokens at the serving endpoint's prompt price through the completion fact — answered whole.
 */
export async function embeddingsRoutes(app: FastifyInstance, options: EmbeddingsRouteOptions): Promise<void> {
  // Sticky routing serves prompt caches; an embedding has none to reuse.
  const settings = routeGenerationSettings(options, null);
  app.post("/api/v1/embeddings", async (request, reply) => {
    const abort = abortOnClientGone(reply);
    let generation: Generation | undefined;
    try {
      const key = await admitModelCaller(options, request);
      const body = parseRequestBody(embeddingsRequestSchema, request.body, "Request body must be a JSON object with `model` and `input`.");
      generation = new Generation({ ...settings, key, embeddings: body, promptBytes: request.promptBytes });
      request.generation = generation;
      await generation.prepare();
      reply.header("x-generation-id", generation.id);
      return await answerWholeGeneration(generation, reply, abort.signal, false, embeddingsResponseOf, body);
    } catch (error) {
      throw recordUnexpectedFailure(generation, error);
    } finally {
      endGenerationExchange(abort, generation);
    }
  });
}

/** Undefined unless there is one vector per input: the connector checks the count against the provider's answer, so a gap is a bug. */
function embeddingsResponseOf(generation: Generation, body: EmbeddingsRequest): EmbeddingsResponse | undefined {
  const embeddings = generation.accumulator.embeddings;
  if (!holdsEveryVector(embeddings, embeddingInputsOf(body.input).length)) return undefined;
  const { usage } = generation.chargeableUsage(true);
  return buildEmbeddingsResponse(identityOf(generation), embeddings, body.encoding_format ?? "float", usage, generation.costMicros(usage));
}

/** True when there is exactly one vector per input, none missing. */
function holdsEveryVector(embeddings: readonly (number[] | undefined)[], expected: number): embeddings is readonly number[][] {
  if (embeddings.length !== expected) return false;
  for (let index = 0; index < expected; index++) if (embeddings[index] === undefined) return false;
  return true;
}
