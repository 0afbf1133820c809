import { z } from "zod";
import { modelIdSchema, providerPreferencesSchema } from "../chat/chat-request.js";

const tokenIdSchema = z.number().int().nonnegative();

/**
 * POST /api/v1/completions body: OpenAI's legacy text completions
 * (https://platform.openai.com/docs/api-reference/completions/create), as OpenRouter keeps it. Switchboard
 * serves it on chat (one user message holding the prompt), so it declares the fields it reads or refuses;
 * the sampling fields chat shares are kept as they are and checked by the chat schema after translation.
 */
export const completionRequestSchema = z.looseObject({
  model: modelIdSchema.optional(),
  models: z.array(modelIdSchema).optional(),
  prompt: z.union([z.string(), z.array(z.string()).min(1), z.array(tokenIdSchema).min(1), z.array(z.array(tokenIdSchema)).min(1)]),
  stream: z.boolean().optional(),
  max_tokens: z.number().int().positive().nullish(),
  /** Completions' `logprobs` is a count of alternatives (0–5), not chat's boolean. */
  logprobs: z.number().int().min(0).max(5).nullish(),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  n: z.number().int().positive().nullish(),
  best_of: z.number().int().positive().nullish(),
  provider: providerPreferencesSchema.optional(),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
