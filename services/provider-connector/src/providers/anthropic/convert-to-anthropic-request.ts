import type { ChatRequest, UpstreamWarning } from "@switchboard/contracts";
import { currentTurnToolUseLacksThinking, type ThinkingTurnBlocks } from "../current-turn-tool-use-lacks-thinking.js";
import { dropOrRefuseReasoning } from "../drop-or-refuse-reasoning.js";
import { gatewayRequestParameters } from "../gateway-request-parameters.js";
import { jsonResponseToolOf, type JsonResponseTool } from "../json-response-tool.js";
import { anthropicSamplingParameters } from "./anthropic-sampling-parameters.js";
import { convertToAnthropicMessages, type AnthropicRequestBlock } from "./convert-to-anthropic-messages.js";
import { anthropicFallbackMaxTokens, convertToAnthropicThinking } from "./convert-to-anthropic-thinking.js";
import { dropSamplingRefusedWhileThinking } from "./drop-sampling-refused-while-thinking.js";

/** What the Anthropic request is built from besides the client's body. */
export interface AnthropicRequestOptions {
  upstreamModel: string;
  stream: boolean;
  maxCompletionTokens: number | null;
  /** The `anthropic-version` the request is sent with; it decides which sampling values are taken. */
  apiVersion: string;
}

type OpenAITool = { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } };

function convertTools(tools: unknown): Record<string, unknown>[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  return (tools as OpenAITool[]).map((tool) => ({
    name: tool.function?.name,
    ...(typeof tool.function?.description === "string" ? { description: tool.function.description } : {}),
    // Anthropic requires an object schema; a function without parameters takes none.
    input_schema: tool.function?.parameters ?? { type: "object", properties: {} },
  }));
}

/** OpenAI `tool_choice` (+ `parallel_tool_calls: false`) → Anthropic `tool_choice`; undefined for none of either. */
function convertToolChoice(toolChoice: unknown, parallelToolCalls: unknown): Record<string, unknown> | undefined {
  let choice: Record<string, unknown> | undefined;
  if (toolChoice === "auto") choice = { type: "auto" };
  else if (toolChoice === "none") choice = { type: "none" };
  else if (toolChoice === "required") choice = { type: "any" };
  else if (typeof toolChoice === "object" && toolChoice !== null) {
    const name = (toolChoice as { function?: { name?: unknown } }).function?.name;
    if (typeof name === "string") choice = { type: "tool", name };
  }
  // Anthropic's `none` choice takes no disable_parallel_tool_use (only auto/any/tool do); with no call allowed there is nothing for it to limit.
  if (parallelToolCalls === false && choice?.["type"] !== "none") choice = { ...(choice ?? { type: "auto" }), disable_parallel_tool_use: true };
  return choice;
}

/**
 * Makes the model answer by calling the JSON response tool (json-response-tool.ts): the tool is added
 * and forced, or, when the client has tools of its own and no tool choice, some tool call is required so
 * the model either uses one of them or answers in JSON. Under `tool_choice: "none"` the JSON tool is
 * forced too: the client asked for no call to its tools and for a JSON answer, and forcing the JSON tool
 * gives both (its call comes back as the message text, not as a tool call), where `none` kept as sent
 * would leave the model unable to call it and the answer unchecked text. The client's tools stay in
 * `tools` unchanged (a forced named tool cannot call them), so nothing is dropped.
 */
function answerThroughTool(body: Record<string, unknown>, tool: JsonResponseTool): void {
  const clientTools = (body["tools"] as Record<string, unknown>[] | undefined) ?? [];
  body["tools"] = [...clientTools, { name: tool.name, description: tool.description, input_schema: tool.schema }];
  const clientChoice = body["tool_choice"] as Record<string, unknown> | undefined;
  if (clientChoice?.["type"] === "none") body["tool_choice"] = { type: "tool", name: tool.name };
  else if (clientChoice === undefined) body["tool_choice"] = clientTools.length > 0 ? { type: "any" } : { type: "tool", name: tool.name };
}

/** Messages API blocks as the thinking-turn rule reads them. */
const anthropicThinkingTurnBlocks: ThinkingTurnBlocks<AnthropicRequestBlock> = {
  isToolResult: (block) => block.type === "tool_result",
  isToolUse: (block) => block.type === "tool_use",
  isThinking: (block) => block.type === "thinking" || block.type === "redacted_thinking",
};

/**
 * Whether a Messages `tool_choice` forces a tool call (`any`, or a named tool). Anthropic answers 400 to
 * thinking with such a choice; only `auto` and `none` go with it
 * (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#feature-compatibility: "Thinking isn't compatible with ... forced tool use").
 */
function forcesToolCall(toolChoice: unknown): boolean {
  const type = (toolChoice as { type?: unknown } | undefined)?.type;
  return type === "any" || type === "tool";
}

/** Keys translated below; every other key of the client's body is dropped and named in a warning. */
const translatedParameters = new Set([
  "messages",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "user",
  "reasoning",
  "reasoning_effort",
  "response_format",
]);

/**
 * The client's OpenAI-shaped request as an Anthropic Messages request body, and the warnings for what it
 * could not carry. A sampling value the API version cannot take is dropped and named, or refused under
 * `provider.require_parameters` (see anthropic-sampling-parameters.ts), never clamped.
 */
export function convertToAnthropicRequest(request: ChatRequest, options: AnthropicRequestOptions): { body: Record<string, unknown>; warnings: UpstreamWarning[] } {
  const warnings: UpstreamWarning[] = [];
  const warn = (parameter: string) => warnings.push({ type: "unsupported-parameter", parameter });
  for (const [key, value] of Object.entries(request)) {
    if (value !== undefined && !translatedParameters.has(key) && !gatewayRequestParameters.has(key)) warn(key);
  }

  const { system, messages } = convertToAnthropicMessages(request.messages);
  const body: Record<string, unknown> = {
    model: options.upstreamModel,
    max_tokens: options.maxCompletionTokens ?? anthropicFallbackMaxTokens,
    ...(system !== undefined ? { system } : {}),
    messages,
  };
  const sampling = anthropicSamplingParameters(request, options.apiVersion);
  Object.assign(body, sampling.fields);
  warnings.push(...sampling.warnings);
  if (typeof request.stop === "string") body["stop_sequences"] = [request.stop];
  else if (Array.isArray(request.stop)) body["stop_sequences"] = request.stop;
  const tools = convertTools(request["tools"]);
  if (tools !== undefined) body["tools"] = tools;
  const toolChoice = convertToolChoice(request["tool_choice"], request["parallel_tool_calls"]);
  if (toolChoice !== undefined) body["tool_choice"] = toolChoice;
  if (request["response_format"] !== undefined) {
    const jsonTool = jsonResponseToolOf(request["response_format"], request["tools"]);
    if (jsonTool === undefined) warn("response_format");
    else if (jsonTool !== null) answerThroughTool(body, jsonTool);
  }
  const reasoning = convertToAnthropicThinking(request, options.maxCompletionTokens);
  warnings.push(...reasoning.warnings);
  if (reasoning.thinking !== undefined) {
    if (forcesToolCall(body["tool_choice"])) {
      // The client's tool_choice, or response_format answered through the forced JSON tool.
      const forcedBy = forcesToolCall(toolChoice) ? "tool_choice" : "response_format";
      warnings.push(dropOrRefuseReasoning(request, `Claude cannot think while ${forcedBy} forces a tool call; it takes thinking only with tool_choice auto or none`));
    } else if (currentTurnToolUseLacksThinking(messages, anthropicThinkingTurnBlocks)) {
      warnings.push(dropOrRefuseReasoning(request, "Claude thinks only when the current turn's last tool call comes back with its thinking block (reasoning_details), and this one has none"));
    } else {
      body["max_tokens"] = reasoning.maxTokens;
      body["thinking"] = reasoning.thinking;
      warnings.push(...dropSamplingRefusedWhileThinking(body, { temperature: "temperature", top_p: "top_p", top_k: "top_k" }, request.provider?.require_parameters === true));
    }
  }
  // Anthropic's abuse tracking takes an opaque end-user id in metadata.user_id.
  if (typeof request.user === "string") body["metadata"] = { user_id: request.user };
  if (options.stream) body["stream"] = true;
  return { body, warnings };
}
