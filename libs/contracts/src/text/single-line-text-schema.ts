import { z } from "zod";
import { hasControlCharacters } from "./control-characters.js";

/**
 * A non-empty, bounded string without control characters: what a model id, a provider slug or a name
 * looks like. Refusing CR, LF and NUL here, at every receiving edge, keeps them out of error messages,
 * NATS headers, log lines and PostgreSQL (which cannot store NUL in text).
 */
export function singleLineTextSchema(maxLength: number): z.ZodString {
  return z
    .string()
    .min(1, "must not be empty")
    .max(maxLength, `must be at most ${maxLength} characters`)
    .refine((text) => !hasControlCharacters(text), "must not contain control characters (CR, LF, NUL, ...)");
}
