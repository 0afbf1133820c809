import type { GatewayError } from "@switchboard/contracts";

/** What stands where key material was. */
export const scrubbedKeyMarker = "[redacted]";

/**
 * Shorter pieces are not scrubbed: no real key is that short (a provider key, an AWS access key id, secret
 * or session token is 16 characters and more), and replacing every "test" in a message would hide the
 * message. An operator who configures a key of fewer than 8 characters gets no scrubbing of it.
 */
const minimumPieceLength = 8;

/** Visible characters a provider shows after masking a key; fewer say nothing about which key. */
const minimumVisibleSuffixLength = 3;

/**
 * Visible characters before a mask that identify a key's start (`AKIAIOSFOD...`, `sk-proj-Zq81****`, and a
 * key cut by the 1,000-character bound of metadata.raw, which ends in `…`). Fewer would also match words.
 */
const minimumVisiblePrefixLength = 6;

/**
 * A key echoed with part of it masked (OpenAI: `sk-proj-****abcd`, others `sk-...abcd`, `sk-…abcd` or
 * `AKIAIOSF****`): the visible characters before and after the mask are captured to compare with the
 * configured key's start and end. The class holds what keys are made of, AWS secrets' `+`, `/` and `=`
 * included. A match starts only where a run of such characters starts, which also keeps the scan linear
 * on a long body without any mask.
 */
const maskedEchoPattern = /(?<![\w+/=-])([\w+/=-]*)(?:\*{2,}|\.{3}|…)([\w+/=-]*)/g;

/**
 * The parts of AWS credentials, split as the signer reads them (transport/aws-sigv4-signer.ts): access key
 * id, secret access key, and everything after the second colon as the session token, which may hold `:`.
 */
function awsCredentialPartsOf(apiKey: string): string[] {
  const first = apiKey.indexOf(":");
  if (first === -1) return [];
  const second = apiKey.indexOf(":", first + 1);
  if (second === -1) return [apiKey.slice(0, first), apiKey.slice(first + 1)];
  return [apiKey.slice(0, first), apiKey.slice(first + 1, second), apiKey.slice(second + 1)];
}

/**
 * The secrets inside a configured provider key: the whole value and, for AWS credentials
 * (`<access key id>:<secret access key>[:<session token>]`), each part, since an AWS error message quotes
 * the access key id alone, each also as JSON escapes it. Longest first, so a part never breaks up a longer occurrence before it is
 * replaced whole.
 */
function keyPiecesOf(apiKey: string): string[] {
  const plain = [apiKey, ...awsCredentialPartsOf(apiKey)];
  // A JSON error body may escape `/` (an AWS secret's) as `\/`: the raw text is scrubbed before it is parsed.
  const pieces = new Set([...plain, ...plain.filter((piece) => piece.includes("/")).map((piece) => piece.replaceAll("/", "\\/"))]);
  return [...pieces].filter((piece) => piece.length >= minimumPieceLength).sort((left, right) => right.length - left.length);
}

/** Whether a masked echo's visible start or end is a key piece's. */
function isMaskedKey(visibleStart: string, visibleEnd: string, pieces: readonly string[]): boolean {
  return pieces.some(
    (piece) =>
      (visibleStart.length >= minimumVisiblePrefixLength && piece.startsWith(visibleStart)) ||
      (visibleEnd.length >= minimumVisibleSuffixLength && piece.endsWith(visibleEnd)),
  );
}

/**
 * The text with every whole occurrence of the provider key's pieces replaced, without the masked-echo rule:
 * for text that may be the model's answer (a stream event), where an ellipsis after a common start such as
 * `sk-proj-` is ordinary text.
 */
export function scrubKeyPieces(text: string, apiKey: string | undefined): string {
  if (apiKey === undefined) return text;
  let scrubbed = text;
  for (const piece of keyPiecesOf(apiKey)) if (scrubbed.includes(piece)) scrubbed = scrubbed.split(piece).join(scrubbedKeyMarker);
  return scrubbed;
}

/**
 * The text with every occurrence of the provider key's material replaced, whole or masked. Providers quote
 * the key they were sent in error messages (OpenAI's "Incorrect API key provided: sk-proj-****abcd", AWS's
 * "The security token included in the request is invalid" variants quoting the access key id), and that
 * text travels to the client as `metadata.raw`: the operator's key must never go with it. The handler
 * scrubs the provider's text before an adapter cuts it to its bound (a key straddling the cut would
 * survive as a prefix otherwise), and the finished error again.
 */
export function scrubKeyMaterial(text: string, apiKey: string | undefined): string {
  if (apiKey === undefined) return text;
  const pieces = keyPiecesOf(apiKey);
  if (pieces.length === 0) return text;
  return scrubKeyPieces(text, apiKey).replace(maskedEchoPattern, (echo, visibleStart: string, visibleEnd: string) =>
    isMaskedKey(visibleStart, visibleEnd, pieces) ? scrubbedKeyMarker : echo,
  );
}

/**
 * What a log line may say about a thrown value: its class name, and its message and stack with the key's
 * material scrubbed (a transport or adapter error may quote what the provider sent).
 */
export function scrubThrownKeyMaterial(thrown: unknown, apiKey: string | undefined): { type: string; message: string; stack?: string } {
  if (!(thrown instanceof Error)) return { type: typeof thrown, message: scrubKeyMaterial(String(thrown), apiKey) };
  return {
    type: thrown.name,
    message: scrubKeyMaterial(thrown.message, apiKey),
    ...(thrown.stack !== undefined ? { stack: scrubKeyMaterial(thrown.stack, apiKey) } : {}),
  };
}

/** The error with the key's material scrubbed from its message and from every text in its metadata. */
export function scrubErrorKeyMaterial(error: GatewayError, apiKey: string | undefined): GatewayError {
  if (apiKey === undefined) return error;
  const metadata = error.metadata === undefined
    ? undefined
    : Object.fromEntries(Object.entries(error.metadata).map(([name, value]) => [name, typeof value === "string" ? scrubKeyMaterial(value, apiKey) : value]));
  return { ...error, message: scrubKeyMaterial(error.message, apiKey), ...(metadata !== undefined ? { metadata } : {}) };
}
