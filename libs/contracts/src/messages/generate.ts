import { z } from "zod";
import { replySubjectSchema } from "../identifiers.js";
import { routeCandidateSchema } from "./route.js";

/**
 * Asks a connector to call one endpoint. The connector acknowledges at once, then publishes numbered
 * stream parts to `replyTo` (a private inbox of the asking ingress). The request body travels only in
 * this core-NATS message, never in JetStream, so no prompt is persisted.
 */
export const generateRequestSchema = z.object({
  generationId: z.string(),
  candidate: routeCandidateSchema,
  /** The client's OpenAI-shaped body; the adapter translates and replaces `model`. */
  body: z.record(z.string(), z.unknown()),
  stream: z.boolean(),
  /**
   * The output cap to send upstream (the client's, or the endpoint's catalog cap), or null to send none:
   * then the provider's own limit applies and the reservation assumed the whole context window.
   */
  maxCompletionTokens: z.number().int().positive().nullable(),
  replyTo: replySubjectSchema,
});
export type GenerateRequest = z.infer<typeof generateRequestSchema>;

export const generateReplySchema = z.object({ accepted: z.literal(true) });
export type GenerateReply = z.infer<typeof generateReplySchema>;
