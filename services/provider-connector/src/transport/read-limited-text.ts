import type { UpstreamResponseBody } from "./upstream-transport.js";

/**
 * Reads at most `maxBytes` of a body as UTF-8 and discards the rest. Error bodies are read for their
 * message only; a misbehaving provider must not make the connector buffer megabytes of HTML.
 */
export async function readLimitedText(body: UpstreamResponseBody, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    const remaining = maxBytes - length;
    chunks.push(chunk.byteLength > remaining ? chunk.subarray(0, remaining) : chunk);
    length += Math.min(chunk.byteLength, remaining);
    if (length >= maxBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}
