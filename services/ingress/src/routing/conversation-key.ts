import { createHash } from "node:crypto";
import { gatewayError, gatewayErrorCodes, maximumSessionIdLength, SwitchboardError, type ChatMessage, type ChatRequest } from "@switchboard/contracts";

/**
 * The session a request names for sticky routing: the body's `session_id`, else the `x-session-id` header
 * (OpenRouter: the body wins). An empty value names none. Throws a 400 for a header longer than OpenRouter
 * allows (the body field is checked by the request schema).
 */
export function sessionIdOf(request: Pick<ChatRequest, "session_id">, header: string | string[] | undefined): string | undefined {
  if (request.session_id !== undefined && request.session_id !== "") return request.session_id;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === "") return undefined;
  if (value.length > maximumSessionIdLength) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.invalidRequest, 400, `The x-session-id header must be at most ${maximumSessionIdLength} characters (it has ${value.length}).`, {
        metadata: { maximum_length: maximumSessionIdLength },
      }),
    );
  }
  return value;
}

/**
 * The key sticky routing files a conversation under: the account, the first requested model and either
 * the session id or, without one, a SHA-256 of the conversation's opening (OpenRouter: the first
 * system/developer message and the first other message, which stay the same as the conversation grows).
 * Only those two messages are hashed, never the whole body, and the hash lives only in this replica's
 * memory: no prompt text is logged, traced or stored.
 */
export function conversationKey(accountId: string, request: Pick<ChatRequest, "model" | "models" | "messages">, sessionId: string | undefined): string {
  const model = request.model ?? request.models?.[0] ?? "";
  const conversation = sessionId === undefined ? `opening:${openingHash(request.messages)}` : `session:${sessionId}`;
  // Account and model ids hold no line break, so the parts cannot run into each other.
  return `${accountId}\n${model}\n${conversation}`;
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
    // The role is part of the opening; a content given as parts is hashed as its JSON. The length in
    // front keeps one message's text from passing for the boundary between the two.
    const content = message.content ?? "";
    const text = typeof content === "string" ? content : JSON.stringify(content);
    hash.update(`\0${message.role}\0${text.length}\0`);
    hash.update(text);
  }
  return hash.digest("base64url");
}
