import { z } from "zod";
import { chatRequestSchema } from "../chat/chat-request.js";
import { embeddingsRequestSchema } from "../embeddings/embeddings-request.js";
import { replySubjectSchema } from "../identifiers.js";
import { generationOriginSchema } from "./generation-origin.js";

/**
 * Asks a connector to call one endpoint. Ingress publishes it with `replyTo` (the attempt's subject under
 * its inbox) as the reply subject too and waits for no reply: the connector takes the request by
 * publishing part 0, a `stream-start`, to `replyTo` at once, then the provider's numbered stream parts. A
 * refusal (an error reply) and NATS's "no responders" status arrive on that same subject. The request body
 * travels only in this core-NATS message, never in JetStream, so no prompt is persisted.
 *
 * The message names the endpoint and nothing about how to reach it: the connector looks up base URL, key
 * variable and upstream model in its own copy of the router's routing snapshot. Anyone able to publish
 * on the bus can therefore only make it call catalog endpoints with their own keys. Strict: a message
 * with fields beyond these (a `baseUrl`, an `apiKeyEnv`, the older `candidate`) is refused, not trimmed.
 */
export const chatGenerateRequestSchema = z
  .object({
    generationId: z.string(),
    /** `<model id>@<provider id>`, as in the routing snapshot. */
    endpointId: z.string().min(1).max(512),
    /**
     * The client's OpenAI-shaped body as ingress validated it, parsed again on receipt so every adapter
     * translates a typed `ChatRequest`; the adapter replaces `model` with the endpoint's upstream model.
     */
    body: chatRequestSchema,
    stream: z.boolean(),
    /**
     * The output cap to send upstream (the client's, or the endpoint's catalog cap), or null to send none:
     * then the provider's own limit applies and the reservation assumed the whole context window.
     */
    maxCompletionTokens: z.number().int().positive().nullable(),
    replyTo: replySubjectSchema,
    /** Who asked and what holds the credit (issue 10): for the connector's usage report and ingress watch. */
    origin: generationOriginSchema.optional(),
  })
  .strict();
export type ChatGenerateRequest = z.infer<typeof chatGenerateRequestSchema>;

/**
 * Asks a connector for the vectors of an embeddings request on one endpoint: the same exchange as a chat
 * attempt (part 0, numbered parts, one terminal part), with `embedding` parts and a `usage` part as the
 * answer. Never streamed upstream: embeddings APIs answer whole.
 */
export const embeddingsGenerateRequestSchema = z
  .object({
    operation: z.literal("embeddings"),
    generationId: z.string(),
    endpointId: z.string().min(1).max(512),
    /** The client's body as ingress validated it; the adapter names the endpoint's upstream model. */
    body: embeddingsRequestSchema,
    replyTo: replySubjectSchema,
    origin: generationOriginSchema.optional(),
  })
  .strict();
export type EmbeddingsGenerateRequest = z.infer<typeof embeddingsGenerateRequestSchema>;

/**
 * What `connector.generate` takes: a chat attempt (no `operation`, as every message before embeddings),
 * or an embeddings attempt. The chat shape is tried first, so a chat message is parsed as before.
 */
export const generateRequestSchema = z.union([chatGenerateRequestSchema, embeddingsGenerateRequestSchema]);
export type GenerateRequest = z.infer<typeof generateRequestSchema>;
