import { z } from "zod";

/**
 * Something the connector had to leave out of a client's request for the chosen endpoint, named so that
 * nothing is dropped silently (STYLE.md convention 9). Carries the parameter's name only, never its value:
 * values can hold prompt text.
 */
export const upstreamWarningSchema = z.object({
  type: z.literal("unsupported-parameter"),
  /** The request body's top-level key, e.g. `top_k`. */
  parameter: z.string().max(200),
});
export type UpstreamWarning = z.infer<typeof upstreamWarningSchema>;
