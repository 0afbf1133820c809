import { replaceControlCharacters } from "@switchboard/contracts";

/** Long enough for any message we write; a header is a hint for NATS tooling, the body holds the detail. */
const maximumHeaderValueLength = 256;

/**
 * Text made safe for a NATS header value: the client throws on CR or LF (and a throw while answering
 * once took a whole service down), and NUL or other controls would reach whoever prints the header. So
 * control characters become spaces and the length is bounded; never empty, since the services framework
 * needs a description next to an error code.
 */
export function toHeaderValue(text: string, maxLength = maximumHeaderValueLength): string {
  const single = replaceControlCharacters(text, () => " ").trim();
  // Cut by characters, not UTF-16 units, so no emoji is split; only a prefix is ever split up.
  const characters = Array.from(single.slice(0, maxLength * 2));
  const cut = characters.length > maxLength || characters.join("").length < single.length;
  const bounded = cut ? `${characters.slice(0, maxLength - 1).join("")}…` : single;
  return bounded === "" ? "error" : bounded;
}
