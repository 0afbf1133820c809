import { keyLimitResetSchema, usdNumberToMicros, type KeyLimitReset } from "@switchboard/contracts";
import { z } from "zod";

/** OpenRouter's `limit`: USD as a JSON number (at most 6 decimal places), or null for no limit; micro-dollars after parsing. */
const limitSchema = z
  .number()
  .min(0)
  .nullable()
  .transform((value, context) => {
    if (value === null) return null;
    try {
      return usdNumberToMicros(value);
    } catch (error) {
      context.addIssue({ code: "custom", message: error instanceof Error ? error.message : "not a USD amount" });
      return z.NEVER;
    }
  });

/** The spending-limit fields of `POST /keys` and `PATCH /keys/{hash}`, as OpenRouter names them. */
export const keyLimitBodyFields = z.object({ limit: limitSchema.optional(), limit_reset: keyLimitResetSchema.nullable().optional() });

/** What billing takes of those fields (`limitMicros`, `limitReset`); a field left out stays out (PATCH keeps its value). */
export function keyLimitOf(body: z.infer<typeof keyLimitBodyFields>): { limitMicros?: number | null; limitReset?: KeyLimitReset | null } {
  return {
    ...(body.limit === undefined ? {} : { limitMicros: body.limit }),
    ...(body.limit_reset === undefined ? {} : { limitReset: body.limit_reset }),
  };
}
