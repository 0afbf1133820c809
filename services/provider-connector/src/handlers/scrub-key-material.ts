import type { GatewayError } from "@switchboard/contracts";

/** What stands where key material was. */
export const scrubbedKeyMarker = "[redacted]";

/**
 * Shorter pieces are not secrets worth garbling a message for (a real provider key, an AWS access key id
 * or secret are 20 characters and more), and replacing every "test" in a message would hide the message.
 */
const minimumPieceLength = 8;

/** Visible characters a provider shows after masking a key; fewer say nothing about which key. */
const minimumVisibleSuffixLength = 3;

/**
 * A key echoed with its middle masked (OpenAI: `sk-proj-****abcd`, others `sk-...abcd` or `sk-…abcd`):
 * the visible characters after the mask are captured to compare with the configured key's end.
 */
const maskedEchoPattern = /[\w-]*(?:\*{2,}|\.{3}|…)([\w-]+)/g;

/**
 * The secrets inside a configured provider key: the whole value and, for AWS credentials
 * (`<access key id>:<secret access key>[:<session token>]`, see aws-sigv4-signer.ts), each part, since
 * an AWS error message quotes the access key id alone. Longest first, so a part never breaks up a longer
 * occurrence before it is replaced whole.
 */
function keyPiecesOf(apiKey: string): string[] {
  const pieces = new Set([apiKey, ...apiKey.split(":")]);
  return [...pieces].filter((piece) => piece.length >= minimumPieceLength).sort((left, right) => right.length - left.length);
}

/**
 * The text with every occurrence of the provider key's material replaced, whole or masked. Providers quote
 * the key they were sent in error messages (OpenAI's "Incorrect API key provided: sk-proj-****abcd", AWS's
 * "The security token included in the request is invalid" variants quoting the access key id), and that
 * text travels to the client as `metadata.raw`: the operator's key must never go with it.
 */
export function scrubKeyMaterial(text: string, apiKey: string | undefined): string {
  if (apiKey === undefined) return text;
  const pieces = keyPiecesOf(apiKey);
  if (pieces.length === 0) return text;
  let scrubbed = text;
  for (const piece of pieces) scrubbed = scrubbed.split(piece).join(scrubbedKeyMarker);
  return scrubbed.replace(maskedEchoPattern, (echo, visible: string) =>
    visible.length >= minimumVisibleSuffixLength && pieces.some((piece) => piece.endsWith(visible)) ? scrubbedKeyMarker : echo,
  );
}

/** The error with the key's material scrubbed from its message and from every text in its metadata. */
export function scrubErrorKeyMaterial(error: GatewayError, apiKey: string | undefined): GatewayError {
  if (apiKey === undefined) return error;
  const metadata = error.metadata === undefined
    ? undefined
    : Object.fromEntries(Object.entries(error.metadata).map(([name, value]) => [name, typeof value === "string" ? scrubKeyMaterial(value, apiKey) : value]));
  return { ...error, message: scrubKeyMaterial(error.message, apiKey), ...(metadata !== undefined ? { metadata } : {}) };
}
