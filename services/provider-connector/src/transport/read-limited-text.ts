import type { UpstreamResponseBody } from "./upstream-transport.js";

/** A body read up to a limit: its first bytes as text, and whether there was more. */
export interface LimitedText {
  text: string;
  /** True when the body was longer than the limit; the rest was not read and the body is destroyed. */
  truncated: boolean;
}

/**
 * Reads at most `maxBytes` of a body as UTF-8 and discards the rest, so a misbehaving provider cannot make
 * the connector buffer without bound. Error bodies are read for their message only and may be cut;
 * callers that need the whole body refuse a `truncated` one.
 */
export async function readLimitedText(body: UpstreamResponseBody, maxBytes: number): Promise<LimitedText> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let truncated = false;
  for await (const chunk of body) {
    const remaining = maxBytes - length;
    if (chunk.byteLength > remaining) {
      chunks.push(chunk.subarray(0, remaining));
      truncated = true;
      body.destroy();
      break;
    }
    chunks.push(chunk);
    length += chunk.byteLength;
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}
