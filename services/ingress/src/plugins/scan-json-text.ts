/** What one pass over JSON text finds outside its strings. */
export interface JsonTextShape {
  /** The deepest nesting of objects and arrays. */
  maximumDepth: number;
  /** Numbers written with an exponent (an `e` or `E` right after a digit), which grow when re-serialized. */
  exponentNumbers: number;
}

/**
 * One linear scan of a request body, skipping string contents, for everything ingress needs before (or
 * beside) JSON.parse: the nesting depth, checked before anything recurses over a hostile document, and
 * the exponent numbers the prompt bound allows for. One pass serves both, so the body is read once.
 */
export function scanJsonText(text: string): JsonTextShape {
  let depth = 0;
  let maximumDepth = 0;
  let exponentNumbers = 0;
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
      if (depth > maximumDepth) maximumDepth = depth;
    } else if (character === 0x7d /* } */ || character === 0x5d /* ] */) {
      depth--;
    } else if (character === 0x65 /* e */ || character === 0x45 /* E */) {
      const previous = text.charCodeAt(index - 1);
      if (previous >= 0x30 /* 0 */ && previous <= 0x39 /* 9 */) exponentNumbers++;
    }
  }
  return { maximumDepth, exponentNumbers };
}
