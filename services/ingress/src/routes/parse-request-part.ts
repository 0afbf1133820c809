import { gatewayError, gatewayErrorCodes, invalidRequestError, SwitchboardError } from "@switchboard/contracts";
import type { z } from "zod";

/** Parses a request's body, parameters or query with its schema; a 400 naming the fields otherwise. */
export function parseRequestPart<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new SwitchboardError(invalidRequestError(parsed.error));
}

/** Parses a JSON body that must be an object (a model route's): a 400 saying `notAnObject` otherwise. */
export function parseRequestBody<Schema extends z.ZodType>(schema: Schema, body: unknown, notAnObject: string): z.infer<Schema> {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, notAnObject));
  }
  return parseRequestPart(schema, body);
}
