import { z } from "zod";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";
import { reasoningEfforts, reasoningRequestSchema } from "./reasoning-request.js";

/** A model id as a client names it (`vendor/model`, maybe with a `:variant`); never holds CR, LF or NUL. */
export const modelIdSchema = singleLineTextSchema(200);

/** Models a request may name in `model` and `models` together; each one adds endpoints to rank. */
const maximumModels = 16;

/** Longest `session_id` OpenRouter accepts (body field or `x-session-id` header). */
export const maximumSessionIdLength = 256;

/** A provider slug in `provider.order`/`only`/`ignore`. */
const providerSlugSchema = singleLineTextSchema(100);

const contentPartSchema = z.looseObject({ type: z.string() });
const messageContentSchema = z.union([z.string(), z.array(contentPartSchema)]);

const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

/** One chat message. Unknown fields are kept and forwarded (OpenRouter forwards or drops, never rejects). */
export const chatMessageSchema = z.discriminatedUnion("role", [
  z.looseObject({ role: z.enum(["system", "developer"]), content: messageContentSchema, name: z.string().optional() }),
  z.looseObject({ role: z.literal("user"), content: messageContentSchema, name: z.string().optional() }),
  z.looseObject({
    role: z.literal("assistant"),
    content: messageContentSchema.nullish(),
    name: z.string().optional(),
    tool_calls: z.array(toolCallSchema).optional(),
    /**
     * The `reasoning_details` of the answer this message repeats, sent back unchanged so the provider can
     * continue its reasoning across tool-call turns. Any detail type is kept; each adapter takes the ones
     * its provider produced (reasoning-detail.ts).
     */
    reasoning_details: z.array(z.looseObject({ type: z.string() })).nullish(),
  }),
  z.looseObject({ role: z.literal("tool"), content: messageContentSchema, tool_call_id: z.string() }),
]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** A price limit in `provider.max_price`: USD, as a JSON number or a decimal string (OpenRouter accepts both). */
const priceLimitSchema = z.union([z.number().nonnegative().finite(), z.string().regex(/^\d{1,12}(\.\d{1,18})?$/, "must be a non-negative decimal number")]);

/** Endpoint quantizations OpenRouter names in `provider.quantizations`; `unknown` matches endpoints without one. */
export const quantizations = ["int4", "int8", "fp4", "mxfp4", "nvfp4", "fp6", "fp8", "mxfp8", "fp16", "bf16", "fp32", "unknown"] as const;
export type Quantization = (typeof quantizations)[number];

/** How `provider.sort` orders endpoints (OpenRouter's values, without `exacto`). */
export const sortOrders = ["price", "throughput", "latency"] as const;
export type SortOrder = (typeof sortOrders)[number];

/** A performance threshold: a p50 value, or one value per percentile (OpenRouter's `preferred_*` shape). */
const percentileThresholdSchema = z.union([
  z.number().nonnegative(),
  z.strictObject({ p50: z.number().nonnegative().optional(), p75: z.number().nonnegative().optional(), p90: z.number().nonnegative().optional(), p99: z.number().nonnegative().optional() }),
]);

/**
 * Provider routing preferences (OpenRouter's `provider` object,
 * https://openrouter.ai/docs/guides/routing/provider-selection). Strict: OpenRouter rejects unknown keys
 * here so that a misspelled preference is not silently ignored.
 */
export const providerPreferencesSchema = z.strictObject({
  /** Provider slugs to try first, in this order. */
  order: z.array(providerSlugSchema).optional(),
  /** False: only the `order` providers (or, without `order`, the first endpoint of each model). Default true. */
  allow_fallbacks: z.boolean().optional(),
  /** True: only endpoints that support every parameter the request uses. */
  require_parameters: z.boolean().optional(),
  /** `deny`: only endpoints whose provider does not train on the data. */
  data_collection: z.enum(["allow", "deny"]).optional(),
  /** True: only zero-data-retention endpoints. */
  zdr: z.boolean().optional(),
  only: z.array(providerSlugSchema).optional(),
  ignore: z.array(providerSlugSchema).optional(),
  /** Only endpoints with one of these quantizations. */
  quantizations: z.array(z.enum(quantizations)).optional(),
  /** Order by this instead of the default; `partition: "none"` sorts the endpoints of all `models` together. */
  sort: z.union([z.enum(sortOrders), z.strictObject({ by: z.enum(sortOrders), partition: z.enum(["model", "none"]).optional() })]).optional(),
  /** Highest acceptable price: `prompt`/`completion` in USD per million tokens, `request` per request, `image`/`audio` per unit. */
  max_price: z
    .strictObject({ prompt: priceLimitSchema.optional(), completion: priceLimitSchema.optional(), request: priceLimitSchema.optional(), image: priceLimitSchema.optional(), audio: priceLimitSchema.optional() })
    .optional(),
  /** Soft: endpoints measured below it go last (tokens per second). */
  preferred_min_throughput: percentileThresholdSchema.optional(),
  /** Soft: endpoints measured above it go last (seconds). */
  preferred_max_latency: percentileThresholdSchema.optional(),
});
export type ProviderPreferences = z.infer<typeof providerPreferencesSchema>;

/**
 * POST /api/v1/chat/completions body. Unknown top-level fields are kept and forwarded upstream. `model`
 * may be left out when `models` names the models to try (OpenRouter accepts either).
 */
export const chatRequestSchema = z.looseObject({
  model: modelIdSchema.optional(),
  models: z.array(modelIdSchema).max(maximumModels, `must name at most ${maximumModels} models`).optional(),
  messages: z.array(chatMessageSchema).min(1, "messages must contain at least one message"),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  /** Reasoning effort or budget, and whether its text is returned (reasoning-request.ts). */
  reasoning: reasoningRequestSchema.nullish(),
  /** Shorthand for `reasoning.effort`. */
  reasoning_effort: z.enum(reasoningEfforts).nullish(),
  provider: providerPreferencesSchema.optional(),
  user: z.string().optional(),
  /**
   * Groups a conversation's requests for sticky routing (prompt caching): they go to the endpoint that
   * served the conversation before. Wins over the `x-session-id` header. Used by ingress, never sent upstream.
   */
  // null, as SDKs send for an unset field, names no session.
  session_id: z.string().max(maximumSessionIdLength, `session_id must be at most ${maximumSessionIdLength} characters`).nullish(),
}).refine((request) => request.model !== undefined || (request.models?.length ?? 0) > 0, {
  message: "model is required (or models, a list of models to try in order)",
  path: ["model"],
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;
