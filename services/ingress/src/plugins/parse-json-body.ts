import { scanJsonText, type JsonTextShape } from "./scan-json-text.js";

/** Deeper than any real chat request; deep enough nesting would overflow recursive validators. */
export const maximumJsonDepth = 64;

/**
 * JSON.parse with a nesting limit checked first by one linear scan of the text (brackets outside
 * strings), so a hostile 100,000-deep document is refused cheaply before anything recurses over it.
 * Pass the scan when the caller made it already. Throws a SyntaxError-like error with a message fit for the client.
 */
export function parseJsonBody(text: string, shape: JsonTextShape = scanJsonText(text)): unknown {
  if (shape.maximumDepth > maximumJsonDepth) throw new JsonBodyError(`JSON nesting deeper than ${maximumJsonDepth} levels is not accepted`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JsonBodyError(`Request body is not valid JSON: ${error instanceof Error ? error.message : "parse error"}`);
  }
}

export class JsonBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonBodyError";
  }
}
