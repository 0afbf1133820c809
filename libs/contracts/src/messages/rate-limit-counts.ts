import { z } from "zod";
import { keyHashSchema } from "../identifiers.js";

/**
 * What one ingress replica has admitted for each rate-limited key in the current and the previous window of
 * the key's interval (windows are aligned to the Unix epoch, so every replica numbers them alike). Every
 * replica publishes its counts about every 100 ms, an empty report included (it says "I am alive and used
 * none of the others"), and adds the other replicas' latest counts to its own when it admits a request.
 */
export const rateLimitCountsSchema = z.object({
  version: z.literal(1),
  /** The publishing replica, unique per process; a replica ignores its own reports. */
  replica: z.string().min(1).max(200),
  keys: z
    .array(
      z.object({
        keyHash: keyHashSchema,
        intervalSeconds: z.number().int().positive(),
        /** floor(epoch milliseconds / interval milliseconds) of the current window. */
        window: z.number().int().nonnegative(),
        count: z.number().int().nonnegative(),
        /** What it admitted in the window before `window`. */
        previousCount: z.number().int().nonnegative(),
      }),
    )
    .max(5_000),
});
export type RateLimitCounts = z.infer<typeof rateLimitCountsSchema>;
