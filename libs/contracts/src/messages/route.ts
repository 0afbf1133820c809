import { z } from "zod";
import { endpointPriceSchema } from "../pricing/endpoint-price.js";
import { modelIdSchema, providerPreferencesSchema } from "../chat/chat-request.js";
import { providerQuirksSchema } from "../routing/provider-quirks.js";
import { skippedEndpointSchema } from "../routing/skipped-endpoint.js";

/** Asks the router which endpoints may serve a request, best first. */
export const routeRequestSchema = z.object({
  /** Model ids in fallback order: `model` first, then `models[]`; each may carry a variant (`:floor`, `:nitro`, `:free`). */
  models: z.array(modelIdSchema).min(1),
  provider: providerPreferencesSchema.optional(),
  /**
   * The request's parameters in the catalog's `supported_parameters` vocabulary (`tools`, `max_tokens`,
   * ...): with `provider.require_parameters` every one must be supported; without it only `tools`,
   * `tool_choice` and `response_format` are read, to try supporting endpoints first. Callers may leave it
   * out when neither applies.
   */
  parameters: z.array(z.string()).optional(),
  /**
   * What the request needs of an endpoint's context window: prompt tokens (an estimate that may fall short
   * of the provider's count, never exceed it) and the output asked for (0 when none). Absent: not checked.
   */
  context: z.object({ promptTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative() }).optional(),
  /** The inputs the messages carry besides text (`image`, `file`, `audio`, `video`); only models taking all of them serve it. */
  inputModalities: z.array(z.string()).optional(),
  /**
   * What the request produces: `embeddings` is served only by models whose catalog output modalities
   * include `embeddings`; absent (chat and legacy completions) only by the other models.
   */
  output: z.literal("embeddings").optional(),
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
  /** The provider API version the catalog pins (Anthropic's `anthropic-version`); absent: the adapter's default. */
  apiVersion: z.string().optional(),
  /** The AWS region a Bedrock endpoint's requests are signed for (the catalog's `region`); absent: the one in `baseUrl`'s host. */
  region: z.string().optional(),
  /** How an OpenAI-compatible vendor departs from OpenAI's API (the catalog's `quirks`); absent: none. */
  quirks: providerQuirksSchema.optional(),
  /** Name of the environment variable holding the provider key in the connector; null for keyless providers. */
  apiKeyEnv: z.string().nullable(),
  upstreamModel: z.string(),
  price: endpointPriceSchema,
  contextLength: z.number().int().positive(),
  maxCompletionTokens: z.number().int().positive().nullable(),
  supportedParameters: z.array(z.string()),
  /** The weights' precision as the catalog states it (`fp8`, ...); absent when the catalog does not say. */
  quantization: z.string().optional(),
  dataPolicy: dataPolicySchema,
});
export type RouteCandidate = z.infer<typeof routeCandidateSchema>;

/** The endpoints to try, best first, and every endpoint of the requested models left out, with why. */
export const routeReplySchema = z.object({ candidates: z.array(routeCandidateSchema).min(1), skipped: z.array(skippedEndpointSchema) });
export type RouteReply = z.infer<typeof routeReplySchema>;
