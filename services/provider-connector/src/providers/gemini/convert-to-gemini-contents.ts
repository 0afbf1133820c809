import { reasoningFormats, type ChatMessage } from "@switchboard/contracts";
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

/** Image types Gemini takes, by the file extension an image URL usually ends with. */
const imageMimeTypes: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", heic: "image/heic", heif: "image/heif", gif: "image/gif" };

/**
 * An `https` image URL as a `fileData` part: the Gemini API fetches public and signed HTTP(S) URLs itself
 * (https://ai.google.dev/gemini-api/docs/file-input-methods), with the MIME type named when the URL's
 * extension tells it. Other schemes are refused.
 */
function fileDataPart(url: string, path: string): GeminiRequestPart {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unsupportedRequestError(path, `${path}: image_url.url is neither a data: URI nor a URL`);
  }
  if (parsed.protocol !== "https:") throw unsupportedRequestError(path, `${path}: the Gemini API adapter takes images as https URLs or data: URIs`);
  const mimeType = imageMimeTypes[/\.([a-z0-9]+)$/i.exec(parsed.pathname)?.[1]?.toLowerCase() ?? ""];
  return { fileData: { ...(mimeType === undefined ? {} : { mimeType }), fileUri: url } };
}

function contentParts(content: ChatMessage["content"], path: string): GeminiRequestPart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  return content.map((part, index) => {
    const partPath = `${path}.${index}`;
    if (part.type === "text" && typeof part["text"] === "string") return { text: part["text"] };
    if (part.type === "image_url") {
      const url = imageUrlOf(part);
      if (typeof url !== "string") throw unsupportedRequestError(partPath, `${partPath}: an image_url part needs image_url.url`);
      const data = dataUrlPattern.exec(url);
      return data ? { inlineData: { mimeType: data[1], data: data[2] } } : fileDataPart(url, partPath);
    }
    throw unsupportedRequestError(partPath, `${partPath}: content parts of type "${part.type.slice(0, 40)}" are not supported by the Gemini API adapter`);
  });
}


/**
 * Puts Gemini's thought signatures, returned to the client as encrypted `reasoning_details`, back on the
 * parts they came with (https://ai.google.dev/gemini-api/docs/thought-signatures): a function call's by
 * its tool call id, one without an id on the turn's first text part. Gemini 3 refuses a function call
 * turn without them. Details of other providers' formats are not Gemini's to check and are left out.
 */
function attachThoughtSignatures(parts: GeminiRequestPart[], details: readonly Record<string, unknown>[], callIds: readonly string[]): void {
  for (const detail of details) {
    if (detail["type"] !== "reasoning.encrypted" || typeof detail["data"] !== "string" || detail["format"] !== reasoningFormats.gemini) continue;
    const callIndex = typeof detail["id"] === "string" ? callIds.indexOf(detail["id"]) : -1;
    const target = callIndex >= 0 ? parts.filter((part) => part["functionCall"] !== undefined)[callIndex] : parts.find((part) => typeof part["text"] === "string");
    if (target !== undefined) target["thoughtSignature"] = detail["data"];
  }
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
        if (message.reasoning_details) attachThoughtSignatures(parts, message.reasoning_details, (message.tool_calls ?? []).map((call) => call.id));
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
