import { z } from "zod";

/** A model as `GET /api/v1/models` lists it (OpenRouter's shape, prices as USD-per-token strings). */
export const modelListingSchema = z.object({
  id: z.string(),
  canonical_slug: z.string(),
  name: z.string(),
  created: z.number().int(),
  description: z.string(),
  context_length: z.number().int(),
  architecture: z.object({
    modality: z.string(),
    input_modalities: z.array(z.string()),
    output_modalities: z.array(z.string()),
    tokenizer: z.string(),
    instruct_type: z.string().nullable(),
  }),
  pricing: z.object({
    prompt: z.string(),
    completion: z.string(),
    request: z.string(),
    image: z.string(),
    web_search: z.string(),
    internal_reasoning: z.string(),
    /** Present only when the endpoint prices cache reads / writes apart from prompt tokens (as OpenRouter). */
    input_cache_read: z.string().optional(),
    input_cache_write: z.string().optional(),
  }),
  top_provider: z.object({
    context_length: z.number().int(),
    max_completion_tokens: z.number().int().nullable(),
    is_moderated: z.boolean(),
  }),
  per_request_limits: z.null(),
  supported_parameters: z.array(z.string()),
  default_parameters: z.null(),
  supported_voices: z.null(),
  hugging_face_id: z.null(),
  knowledge_cutoff: z.null(),
  expiration_date: z.null(),
  links: z.object({ details: z.string() }),
});
export type ModelListing = z.infer<typeof modelListingSchema>;

export const listModelsRequestSchema = z.object({});
/** The whole catalog fits one page: `links.next` is always null and `total_count` is the length of `data`. */
export const listModelsReplySchema = z.object({
  data: z.array(modelListingSchema),
  links: z.object({ next: z.null() }),
  total_count: z.number().int().nonnegative(),
});
export type ListModelsReply = z.infer<typeof listModelsReplySchema>;
