import { z } from "zod";
import { endpointPriceSchema } from "../pricing/endpoint-price.js";
import { modelIdSchema, providerPreferencesSchema } from "../chat/chat-request.js";

/** Asks the router which endpoints may serve a request, best first. */
export const routeRequestSchema = z.object({
  /** Model ids in fallback order: `model` first, then `models[]`. */
  models: z.array(modelIdSchema).min(1),
  provider: providerPreferencesSchema.optional(),
});
export type RouteRequest = z.infer<typeof routeRequestSchema>;

export const dataPolicySchema = z.object({
  training: z.boolean(),
  retainsPrompts: z.boolean(),
  retentionDays: z.number().int().nonnegative().nullable(),
  zdr: z.boolean(),
});
export type DataPolicy = z.infer<typeof dataPolicySchema>;

/** One endpoint (a model served by one provider) the connector can call. Carries no secret. */
export const routeCandidateSchema = z.object({
  endpointId: z.string(),
  modelId: z.string(),
  providerId: z.string(),
  providerName: z.string(),
  /** The adapter that speaks this provider's wire format. */
  api: z.string(),
  baseUrl: z.string(),
  /** Name of the environment variable holding the provider key in the connector; null for keyless providers. */
  apiKeyEnv: z.string().nullable(),
  upstreamModel: z.string(),
  price: endpointPriceSchema,
  contextLength: z.number().int().positive(),
  maxCompletionTokens: z.number().int().positive().nullable(),
  supportedParameters: z.array(z.string()),
  dataPolicy: dataPolicySchema,
});
export type RouteCandidate = z.infer<typeof routeCandidateSchema>;

export const routeReplySchema = z.object({ candidates: z.array(routeCandidateSchema).min(1) });
export type RouteReply = z.infer<typeof routeReplySchema>;
