/** Deeper than any real chat request; deep enough nesting would overflow recursive validators. */
export const maximumJsonDepth = 64;

/**
 * JSON.parse with a nesting limit checked first by one linear scan of the text (brackets outside
 * strings), so a hostile 100,000-deep document is refused cheaply before anything recurses over it.
 * Throws a SyntaxError-like error with a message fit for the client.
 */
export function parseJsonBody(text: string): unknown {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === 0x5c /* \ */) index++;
      else if (character === 0x22 /* " */) inString = false;
    } else if (character === 0x22) {
      inString = true;
    } else if (character === 0x7b /* { */ || character === 0x5b /* [ */) {
      depth++;
      if (depth > maximumJsonDepth) throw new JsonBodyError(`JSON nesting deeper than ${maximumJsonDepth} levels is not accepted`);
    } else if (character === 0x7d /* } */ || character === 0x5d /* ] */) {
      depth--;
    }
  }
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
