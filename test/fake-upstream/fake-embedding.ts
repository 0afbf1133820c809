/** Dimensions of a fake vector when the request asks for none. */
export const fakeEmbeddingDimensions = 8;

/**
 * The vector the fake providers answer for a text: deterministic, so a test computes what the client
 * must receive, and made of multiples of 1/64 (exact in float32), so the base64 encoding (float32)
 * carries the very numbers the float encoding does.
 */
export function fakeEmbedding(text: string, dimensions = fakeEmbeddingDimensions): number[] {
  return Array.from({ length: dimensions }, (_, index) => {
    const code = text.length === 0 ? 0 : text.charCodeAt(index % text.length);
    return ((code * (index + 1)) % 97 - 48) / 64;
  });
}
