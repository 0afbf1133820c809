import { z } from "zod";

const picos = z.string().regex(/^\d+$/);

/**
 * An endpoint's price in pico-dollars, as decimal strings so it crosses JSON without precision loss (see
 * usd-amount.ts for why pico-dollars). Prompt and completion are per token. The optional parts are what
 * the catalog states beyond them (OpenRouter's `input_cache_read`, `input_cache_write`,
 * `internal_reasoning`, `request`, `image`); absent means the catalog gives none: cache reads and writes
 * then cost the prompt price, reasoning tokens the completion price, requests and images nothing.
 */
export const endpointPriceSchema = z.object({
  promptPicosPerToken: picos,
  completionPicosPerToken: picos,
  /** A prompt token read from the provider's cache. */
  cacheReadPicosPerToken: picos.optional(),
  /** A prompt token written to the provider's cache. */
  cacheWritePicosPerToken: picos.optional(),
  /** A reasoning (thinking) token, part of the completion tokens. */
  reasoningPicosPerToken: picos.optional(),
  /** Each request, whatever its tokens. */
  requestPicos: picos.optional(),
  /** Each input image. */
  imagePicos: picos.optional(),
});
export type EndpointPrice = z.infer<typeof endpointPriceSchema>;
