import type { ChatMessage } from "@switchboard/contracts";
import { imageUrlOf } from "../image-url-of.js";
import { parseToolCallArguments } from "../parse-tool-call-arguments.js";
import { unsupportedRequestError } from "../unsupported-request-error.js";
import { convertReasoningDetailsToAnthropic } from "./convert-reasoning-details-to-anthropic.js";

/** A content block of an Anthropic request message (https://docs.anthropic.com/en/api/messages). */
export type AnthropicRequestBlock = Record<string, unknown> & { type: string };

/** The Messages API's `system` and `messages` for one conversation. */
export interface AnthropicPrompt {
  /** Text blocks of the leading system (and developer) messages; absent without any. */
  system?: AnthropicRequestBlock[];
  messages: { role: "user" | "assistant"; content: AnthropicRequestBlock[] }[];
}


/** `cache_control` (OpenRouter passes Anthropic's block-level breakpoints through) copied when present. */
function withCacheControl(block: AnthropicRequestBlock, part: Record<string, unknown>): AnthropicRequestBlock {
  return part["cache_control"] !== undefined ? { ...block, cache_control: part["cache_control"] } : block;
}

const dataUrlPattern = /^data:([^;,]+);base64,(.*)$/s;

/** An OpenAI `image_url` part as an Anthropic image block: base64 for a data URI, a URL source otherwise. */
function imageBlock(part: Record<string, unknown>, path: string): AnthropicRequestBlock {
  const url = imageUrlOf(part);
  if (typeof url !== "string") throw unsupportedRequestError(path, `${path}: an image_url part needs image_url.url`);
  const data = dataUrlPattern.exec(url);
  const source = data ? { type: "base64", media_type: data[1], data: data[2] } : { type: "url", url };
  return withCacheControl({ type: "image", source }, part);
}

/** A message's content as blocks: a string is one text block; parts are text and image blocks. */
function contentBlocks(content: ChatMessage["content"], path: string): AnthropicRequestBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return content.map((part, index) => {
    const partPath = `${path}.${index}`;
    if (part.type === "text" && typeof part["text"] === "string") return withCacheControl({ type: "text", text: part["text"] }, part);
    if (part.type === "image_url") return imageBlock(part, partPath);
    throw unsupportedRequestError(partPath, `${partPath}: content parts of type "${part.type.slice(0, 40)}" are not supported by the Anthropic API adapter`);
  });
}


/**
 * OpenAI chat messages → Anthropic `system` + `messages`. The leading system/developer messages become
 * `system` (Anthropic has no system role in `messages`); a later one is refused, not moved, because moving
 * it changes what the model sees. Assistant tool calls become `tool_use` blocks and tool messages
 * `tool_result` blocks with the matching `tool_use_id`, in a user turn. Consecutive messages that map to
 * the same role are merged into one turn, which the API requires for tool results after a parallel call
 * (vercel/ai convert-to-anthropic-messages-prompt.ts groups the same way). An assistant message's
 * `reasoning_details` go back as its thinking blocks.
 */
export function convertToAnthropicMessages(messages: readonly ChatMessage[]): AnthropicPrompt {
  const system: AnthropicRequestBlock[] = [];
  const turns: AnthropicPrompt["messages"] = [];
  let leading = true;
  const append = (role: "user" | "assistant", blocks: AnthropicRequestBlock[]) => {
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  messages.forEach((message, index) => {
    const path = `messages.${index}`;
    switch (message.role) {
      case "system":
      case "developer":
        if (!leading) throw unsupportedRequestError(path, `${path}: the Anthropic API takes system messages only at the start of the conversation`);
        system.push(...contentBlocks(message.content, `${path}.content`).filter((block) => block.type === "text"));
        return;
      case "user":
        leading = false;
        append("user", contentBlocks(message.content, `${path}.content`));
        return;
      case "assistant": {
        leading = false;
        const blocks = contentBlocks(message.content, `${path}.content`);
        // Thinking comes first in an assistant turn, as the API returned it.
        if (message.reasoning_details) blocks.unshift(...convertReasoningDetailsToAnthropic(message.reasoning_details));
        (message.tool_calls ?? []).forEach((call, callIndex) => {
          blocks.push({ type: "tool_use", id: call.id, name: call.function.name, input: parseToolCallArguments(call.function.arguments, `${path}.tool_calls.${callIndex}.function.arguments`, "the Anthropic API") });
        });
        append("assistant", blocks);
        return;
      }
      case "tool": {
        leading = false;
        const content = typeof message.content === "string" ? message.content : contentBlocks(message.content, `${path}.content`);
        append("user", [{ type: "tool_result", tool_use_id: message.tool_call_id, content }]);
        return;
      }
    }
  });
  return { ...(system.length > 0 ? { system } : {}), messages: turns };
}
