/**
 * Characters that end or corrupt a line in a header, a log line or a terminal: C0 controls (NUL, CR,
 * LF, ESC, ...), DEL, C1 controls, and the Unicode line and paragraph separators. They never belong in an
 * identifier, and in free text they are escaped or replaced before the text lands anywhere line-based.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this file's purpose
const controlCharacter = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const everyControlCharacter = new RegExp(controlCharacter.source, "gu");

/** True when the text holds at least one control character. */
export function hasControlCharacters(text: string): boolean {
  return controlCharacter.test(text);
}

/** The text with each control character replaced by what `replacement` returns for it. */
export function replaceControlCharacters(text: string, replacement: (character: string) => string): string {
  return text.replace(everyControlCharacter, replacement);
}
