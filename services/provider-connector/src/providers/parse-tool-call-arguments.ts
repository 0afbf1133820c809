import { unsupportedRequestError } from "./unsupported-request-error.js";

/**
 * A tool call's `arguments` (OpenAI sends them as a JSON string) as the object the native APIs take; an
 * empty string is no arguments. Text that is not JSON is refused with a 400 naming where it is.
 */
export function parseToolCallArguments(text: string, path: string, apiName: string): unknown {
  try {
    return text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw unsupportedRequestError(path, `${path}: tool call arguments must be a JSON object for ${apiName}`);
  }
}
