import type { ChatMessage } from "@switchboard/contracts";
import { imageUrlOf } from "../image-url-of.js";
import { parseToolCallArguments } from "../parse-tool-call-arguments.js";
import { unsupportedRequestError } from "../unsupported-request-error.js";

/** A part of a Gemini request turn (https://ai.google.dev/api/caching#Part). */
export type GeminiRequestPart = Record<string, unknown>;

/** The Gemini API's `systemInstruction` and `contents` for one conversation. */
export interface GeminiPrompt {
  systemInstruction?: { parts: GeminiRequestPart[] };
  contents: { role: "user" | "model"; parts: GeminiRequestPart[] }[];
}


const dataUrlPattern = /^data:([^;,]+);base64,(.*)$/s;

function contentParts(content: ChatMessage["content"], path: string): GeminiRequestPart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  return content.map((part, index) => {
    const partPath = `${path}.${index}`;
    if (part.type === "text" && typeof part["text"] === "string") return { text: part["text"] };
    if (part.type === "image_url") {
      const url = imageUrlOf(part);
      const data = typeof url === "string" ? dataUrlPattern.exec(url) : null;
      // generateContent takes images inline (or as uploaded files); it does not fetch arbitrary URLs.
      if (!data) throw unsupportedRequestError(partPath, `${partPath}: the Gemini API adapter takes images as data: URIs only`);
      return { inlineData: { mimeType: data[1], data: data[2] } };
    }
    throw unsupportedRequestError(partPath, `${partPath}: content parts of type "${part.type.slice(0, 40)}" are not supported by the Gemini API adapter`);
  });
}


/** The function name of the tool call a tool message answers: Gemini's functionResponse is matched by name, not id. */
function functionNameFor(messages: readonly ChatMessage[], toolIndex: number, toolCallId: string): string | undefined {
  for (let index = toolIndex - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role !== "assistant") continue;
    const call = message.tool_calls?.find((candidate) => candidate.id === toolCallId);
    if (call) return call.function.name;
  }
  return undefined;
}

/**
 * OpenAI chat messages → Gemini `systemInstruction` + `contents`. Leading system/developer messages become
 * the system instruction (a later one is refused, not moved); assistant turns use role `model`, their tool
 * calls `functionCall` parts; tool results go back as `functionResponse` parts in a `user` turn, named after
 * the call they answer and wrapped in an object (`{ content: … }`) since `response` must be a JSON object.
 * Consecutive messages of one role merge into one turn, which Gemini needs for parallel function results.
 */
export function convertToGeminiContents(messages: readonly ChatMessage[]): GeminiPrompt {
  const system: GeminiRequestPart[] = [];
  const contents: GeminiPrompt["contents"] = [];
  let leading = true;
  const append = (role: "user" | "model", parts: GeminiRequestPart[]) => {
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((message, index) => {
    const path = `messages.${index}`;
    switch (message.role) {
      case "system":
      case "developer":
        if (!leading) throw unsupportedRequestError(path, `${path}: the Gemini API takes system messages only at the start of the conversation`);
        system.push(...contentParts(message.content, `${path}.content`));
        return;
      case "user":
        leading = false;
        append("user", contentParts(message.content, `${path}.content`));
        return;
      case "assistant": {
        leading = false;
        const parts = contentParts(message.content, `${path}.content`);
        (message.tool_calls ?? []).forEach((call, callIndex) => {
          parts.push({ functionCall: { name: call.function.name, args: parseToolCallArguments(call.function.arguments, `${path}.tool_calls.${callIndex}.function.arguments`, "the Gemini API") } });
        });
        append("model", parts);
        return;
      }
      case "tool": {
        leading = false;
        const name = functionNameFor(messages, index, message.tool_call_id);
        if (name === undefined) throw unsupportedRequestError(`${path}.tool_call_id`, `${path}: no earlier assistant tool call has the id this tool message answers`);
        const content = typeof message.content === "string" ? message.content : message.content.map((part) => (typeof part["text"] === "string" ? part["text"] : "")).join("");
        append("user", [{ functionResponse: { name, response: { content } } }]);
        return;
      }
    }
  });
  return { ...(system.length > 0 ? { systemInstruction: { parts: system } } : {}), contents };
}
