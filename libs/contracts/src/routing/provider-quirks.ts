import { z } from "zod";

/**
 * How one OpenAI-compatible vendor departs from OpenAI's Chat Completions API, as catalog data (the
 * catalog's `quirks`, snake_case there): adding a vendor is a catalog entry, never an adapter copy.
 * Every field is optional; left out, the vendor is treated as OpenAI is.
 */
export const providerQuirksSchema = z.strictObject({
  /**
   * The field every model of this vendor takes the output cap in, whatever its name. Left out, OpenAI's
   * reasoning models (o-series, gpt-5) get `max_completion_tokens` and every other model `max_tokens`.
   */
  outputCapParameter: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
  /**
   * False for a server that rejects `stream_options` (older vLLM / llama.cpp builds): then no
   * `stream_options.include_usage` is sent, and usage is taken from the stream only if the server sends it.
   */
  streamUsage: z.boolean().optional(),
  /** Request parameters this vendor rejects though OpenAI takes them (e.g. `logit_bias`): dropped and named in a warning. */
  dropParameters: z.array(z.string().min(1)).optional(),
  /** Request parameters this vendor takes beyond OpenAI's (`top_k`, `min_p`, `repetition_penalty`): forwarded as the client sent them. */
  extraParameters: z.array(z.string().min(1)).optional(),
});
export type ProviderQuirks = z.infer<typeof providerQuirksSchema>;
