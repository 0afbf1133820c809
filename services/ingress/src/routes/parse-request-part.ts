import { invalidRequestError, SwitchboardError } from "@switchboard/contracts";
import type { z } from "zod";

/** Parses a request's body, parameters or query with its schema; a 400 naming the fields otherwise. */
export function parseRequestPart<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new SwitchboardError(invalidRequestError(parsed.error));
}
