import { replaceControlCharacters } from "@switchboard/contracts";

/** Enough for any provider's error sentence; a proxy's HTML page is cut well before it hurts. */
export const maximumProviderMessageLength = 1_000;

/**
 * A provider's error message made fit to travel to the client as `error.metadata.raw` (OpenRouter's
 * practice): control characters become spaces (so the text cannot forge log lines or SSE frames), runs of
 * spaces collapse, and the length is bounded by characters (never splitting an emoji). Only the provider's
 * own message goes through here, never the request, so no prompt text is echoed back by Switchboard.
 */
export function sanitizeProviderMessage(text: string): string {
  const single = replaceControlCharacters(text, () => " ")
    .replace(/ {2,}/g, " ")
    .trim();
  // Slice generously first so a multi-megabyte body is not split into characters whole.
  const characters = Array.from(single.slice(0, maximumProviderMessageLength * 2));
  if (characters.length <= maximumProviderMessageLength && characters.join("").length === single.length) return single;
  return `${characters.slice(0, maximumProviderMessageLength).join("")}…`;
}
