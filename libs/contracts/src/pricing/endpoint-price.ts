import { z } from "zod";

/**
 * An endpoint's price in pico-dollars per token, as decimal strings so it crosses JSON without
 * precision loss (see usd-amount.ts for why pico-dollars).
 */
export const endpointPriceSchema = z.object({
  promptPicosPerToken: z.string().regex(/^\d+$/),
  completionPicosPerToken: z.string().regex(/^\d+$/),
});
export type EndpointPrice = z.infer<typeof endpointPriceSchema>;
