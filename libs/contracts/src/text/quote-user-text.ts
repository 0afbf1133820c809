import { replaceControlCharacters } from "./control-characters.js";

/**
 * Quotes text a client sent (a model id, a provider slug, an id) for an error message: at most
 * `maxLength` characters (then `…`), as a JSON string literal with every control character escaped, so
 * the message stays one short line wherever it goes (NATS headers, logs, terminals) and the client sees
 * exactly which value was refused.
 */
export function quoteUserText(text: string, maxLength = 100): string {
  // Cut by characters, not UTF-16 units, so no emoji is split; only a prefix is ever split up.
  const kept = Array.from(text.slice(0, maxLength * 2)).slice(0, maxLength).join("");
  const bounded = kept.length < text.length ? `${kept}…` : text;
  // JSON.stringify escapes C0 controls, quotes and lone surrogates; DEL, C1 and U+2028/9 are left to us.
  return replaceControlCharacters(JSON.stringify(bounded), (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
