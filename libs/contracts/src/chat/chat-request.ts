import { z } from "zod";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";

/** A model id as a client names it (`vendor/model`, maybe with a `:variant`); never holds CR, LF or NUL. */
export const modelIdSchema = singleLineTextSchema(200);

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
  }),
  z.looseObject({ role: z.literal("tool"), content: messageContentSchema, tool_call_id: z.string() }),
]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/**
 * Provider routing preferences (OpenRouter's `provider` object). Strict: OpenRouter rejects unknown keys
 * here so that a misspelled preference is not silently ignored.
 */
export const providerPreferencesSchema = z.strictObject({
  order: z.array(providerSlugSchema).optional(),
  allow_fallbacks: z.boolean().optional(),
  require_parameters: z.boolean().optional(),
  data_collection: z.enum(["allow", "deny"]).optional(),
  zdr: z.boolean().optional(),
  only: z.array(providerSlugSchema).optional(),
  ignore: z.array(providerSlugSchema).optional(),
  sort: z.union([z.enum(["price", "throughput", "latency"]), z.looseObject({ by: z.string() })]).optional(),
});
export type ProviderPreferences = z.infer<typeof providerPreferencesSchema>;

/** POST /api/v1/chat/completions body. Unknown top-level fields are kept and forwarded upstream. */
export const chatRequestSchema = z.looseObject({
  model: modelIdSchema,
  models: z.array(modelIdSchema).optional(),
  messages: z.array(chatMessageSchema).min(1, "messages must contain at least one message"),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  provider: providerPreferencesSchema.optional(),
  user: z.string().optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;
