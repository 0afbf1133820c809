import { createHash } from "node:crypto";
import type { ChatMessage } from "@switchboard/contracts";

/**
 * What identifies a conversation for sticky routing: the session id or, without one, a SHA-256 of the
 * conversation's opening (OpenRouter: the first system/developer message and the first other message,
 * which stay the same as the conversation grows). Only those two messages are hashed, never the whole
 * body, and the hash lives only in this replica's memory: no prompt text is logged, traced or stored.
 * The key an endpoint is filed under adds the account and the model (stickyEntryKey).
 */
export function conversationKey(messages: readonly ChatMessage[], sessionId: string | undefined): string {
  return sessionId === undefined ? `opening:${openingHash(messages)}` : `session:${sessionId}`;
}

function openingHash(messages: readonly ChatMessage[]): string {
  const hash = createHash("sha256");
  const instructions = messages.find((message) => message.role === "system" || message.role === "developer");
  const first = messages.find((message) => message.role !== "system" && message.role !== "developer");
  for (const message of [instructions, first]) {
    if (!message) {
      hash.update("\0none\0");
      continue;
    }
    // The role is part of the opening; of a content given as parts only the text counts, so a client that
    // moves its cache_control breakpoint from turn to turn stays the same conversation. The length in
    // front keeps one message's text from passing for the boundary between the two.
    const text = textOf(message.content);
    hash.update(`\0${message.role}\0${text.length}\0`);
    hash.update(text);
  }
  return hash.digest("base64url");
}

/** The text of a message's content: the string, or its text parts joined (other parts carry no text). */
function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content as { type?: unknown; text?: unknown }[]) {
    if (part.type === "text" && typeof part.text === "string") text += `${part.text.length}\0${part.text}`;
  }
  return text;
}
