import { reasoningFormats, type ChatMessage, type ChatRequest, type UpstreamWarning } from "@switchboard/contracts";
import { currentTurnToolUseLacksThinking, type ThinkingTurnBlocks } from "../current-turn-tool-use-lacks-thinking.js";
import { dropOrRefuseReasoning } from "../drop-or-refuse-reasoning.js";
import { convertToAnthropicThinking } from "../anthropic/convert-to-anthropic-thinking.js";
import { dropSamplingRefusedWhileThinking } from "../anthropic/drop-sampling-refused-while-thinking.js";
import { imageUrlOf } from "../image-url-of.js";
import { jsonResponseToolOf } from "../json-response-tool.js";
import { resolveReasoning } from "../resolve-reasoning.js";
import { parseToolCallArguments } from "../parse-tool-call-arguments.js";
import { unsupportedRequestError } from "../unsupported-request-error.js";
import { bedrockPlaceholderToolName, bedrockPlaceholderToolSpec, hasToolBlocks } from "./bedrock-placeholder-tool.js";
import { gatewayRequestParameters } from "../gateway-request-parameters.js";

type Block = Record<string, unknown>;


const dataUrlPattern = /^data:image\/(png|jpeg|gif|webp);base64,(.*)$/s;

function contentBlocks(content: ChatMessage["content"], path: string): Block[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  return content.map((part, index) => {
    const partPath = `${path}.${index}`;
    if (part.type === "text" && typeof part["text"] === "string") return { text: part["text"] };
    if (part.type === "image_url") {
      const url = imageUrlOf(part);
      const data = typeof url === "string" ? dataUrlPattern.exec(url) : null;
      // Converse takes image bytes (base64 in JSON) or an S3 location, never an HTTP URL; fetching the URL
      // here would make the connector download whatever a client points it at, so it is refused instead.
      if (!data) {
        throw unsupportedRequestError(
          partPath,
          `${partPath}: Bedrock takes images only as bytes: send the image as a data: URI (data:image/png;base64,…) of png, jpeg, gif or webp; image URLs are not fetched`,
        );
      }
      return { image: { format: data[1], source: { bytes: data[2] } } };
    }
    throw unsupportedRequestError(partPath, `${partPath}: content parts of type "${part.type.slice(0, 40)}" are not supported by the Bedrock adapter`);
  });
}


type OpenAITool = { function?: { name?: unknown; description?: unknown; parameters?: unknown } };

function convertToolChoice(toolChoice: unknown): Block | undefined {
  if (toolChoice === "auto") return { auto: {} };
  if (toolChoice === "required") return { any: {} };
  const name = typeof toolChoice === "object" && toolChoice !== null ? (toolChoice as { function?: { name?: unknown } }).function?.name : undefined;
  if (typeof name === "string") return { tool: { name } };
  return undefined;
}

/** Whether a Converse `toolChoice` forces a tool call (`any`, or a named `tool`), which Claude refuses while thinking. */
function forcesToolCall(toolChoice: Block | undefined): boolean {
  return toolChoice !== undefined && toolChoice["auto"] === undefined;
}

const translatedParameters = new Set(["messages", "temperature", "top_p", "stop", "tools", "tool_choice", "response_format", "reasoning", "reasoning_effort"]);

/** Anthropic's models on Bedrock (`anthropic.claude-…`, and cross-region profiles such as `us.anthropic.claude-…`). */
const anthropicModelPattern = /(^|\.)anthropic\./;

/** What the Converse request is built from besides the client's body. */
export interface BedrockRequestOptions {
  maxCompletionTokens: number | null;
  /** The Bedrock model id; reasoning is translated for Anthropic's models only. */
  upstreamModel: string;
}

/**
 * Signed thinking sent back as Converse `reasoningContent` blocks, before the turn's tool use, as
 * Anthropic's models on Bedrock require with thinking on
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html).
 */
function reasoningBlocks(details: readonly Record<string, unknown>[]): Block[] {
  const blocks: Block[] = [];
  for (const detail of details) {
    if (detail["format"] !== reasoningFormats.anthropic) continue;
    if (detail["type"] === "reasoning.text" && typeof detail["signature"] === "string" && detail["signature"] !== "") {
      blocks.push({ reasoningContent: { reasoningText: { text: typeof detail["text"] === "string" ? detail["text"] : "", signature: detail["signature"] } } });
    } else if (detail["type"] === "reasoning.encrypted" && typeof detail["data"] === "string") {
      blocks.push({ reasoningContent: { redactedContent: detail["data"] } });
    }
  }
  return blocks;
}

/** Converse blocks (one key per block) as the thinking-turn rule reads them. */
const converseThinkingTurnBlocks: ThinkingTurnBlocks<Block> = {
  isToolResult: (block) => block["toolResult"] !== undefined,
  isToolUse: (block) => block["toolUse"] !== undefined,
  isThinking: (block) => block["reasoningContent"] !== undefined,
};

/**
 * The client's request as a Converse body (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html):
 * leading system messages lifted into `system`, `toolUse` / `toolResult` blocks in merged turns, sampling in
 * `inferenceConfig`, tools in `toolConfig`. Converse has no `none` tool choice: `tool_choice: "none"` sends
 * none of the client's tools (an inert placeholder when the history needs a `toolConfig`, see
 * bedrock-placeholder-tool.ts). Everything else is named in a warning.
 */
export function convertToBedrockRequest(request: ChatRequest, options: BedrockRequestOptions): { body: Record<string, unknown>; warnings: UpstreamWarning[] } {
  const { maxCompletionTokens } = options;
  const anthropicModel = anthropicModelPattern.test(options.upstreamModel);
  const warnings: UpstreamWarning[] = [];
  for (const [key, value] of Object.entries(request)) {
    if (value !== undefined && !translatedParameters.has(key) && !gatewayRequestParameters.has(key)) warnings.push({ type: "unsupported-parameter", parameter: key });
  }
  const system: Block[] = [];
  const messages: { role: "user" | "assistant"; content: Block[] }[] = [];
  let leading = true;
  const append = (role: "user" | "assistant", blocks: Block[]) => {
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  request.messages.forEach((message, index) => {
    const path = `messages.${index}`;
    switch (message.role) {
      case "system":
      case "developer":
        if (!leading) throw unsupportedRequestError(path, `${path}: Bedrock takes system messages only at the start of the conversation`);
        system.push(...contentBlocks(message.content, `${path}.content`).filter((block) => block["text"] !== undefined));
        return;
      case "user":
        leading = false;
        append("user", contentBlocks(message.content, `${path}.content`));
        return;
      case "assistant": {
        leading = false;
        const blocks = contentBlocks(message.content, `${path}.content`);
        if (anthropicModel && message.reasoning_details) blocks.unshift(...reasoningBlocks(message.reasoning_details));
        (message.tool_calls ?? []).forEach((call, callIndex) => {
          blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: parseToolCallArguments(call.function.arguments, `${path}.tool_calls.${callIndex}.function.arguments`, "Bedrock") } });
        });
        append("assistant", blocks);
        return;
      }
      case "tool": {
        leading = false;
        const text = typeof message.content === "string" ? message.content : message.content.map((part) => (typeof part["text"] === "string" ? part["text"] : "")).join("");
        append("user", [{ toolResult: { toolUseId: message.tool_call_id, content: [{ text }] } }]);
        return;
      }
    }
  });

  const inferenceConfig: Block = {};
  if (maxCompletionTokens !== null) inferenceConfig["maxTokens"] = maxCompletionTokens;
  if (typeof request.temperature === "number") inferenceConfig["temperature"] = request.temperature;
  if (typeof request.top_p === "number") inferenceConfig["topP"] = request.top_p;
  if (typeof request.stop === "string") inferenceConfig["stopSequences"] = [request.stop];
  else if (Array.isArray(request.stop)) inferenceConfig["stopSequences"] = request.stop;

  // Converse has no reasoning field: each model family takes its own in additionalModelRequestFields.
  const reasoningAsked = request.reasoning !== undefined || request.reasoning_effort !== undefined;
  if (reasoningAsked && !anthropicModel && resolveReasoning(request) !== undefined) {
    warnings.push({ type: "unsupported-parameter", parameter: request.reasoning !== undefined ? "reasoning" : "reasoning_effort" });
  }
  const reasoning = anthropicModel ? convertToAnthropicThinking(request, maxCompletionTokens) : undefined;
  warnings.push(...(reasoning?.warnings ?? []));

  // Calls of the placeholder are dropped from the answer, so a client tool of its name could never be called.
  if (Array.isArray(request["tools"]) && (request["tools"] as OpenAITool[]).some((tool) => tool.function?.name === bedrockPlaceholderToolName)) {
    throw unsupportedRequestError("tools", `tools: a tool named ${bedrockPlaceholderToolName} cannot be offered on this provider, which reserves that name`);
  }
  const tools = Array.isArray(request["tools"]) && request["tool_choice"] !== "none" ? (request["tools"] as OpenAITool[]) : [];
  const clientToolChoice = convertToolChoice(request["tool_choice"]);
  let toolChoice = clientToolChoice;
  const toolSpecs = tools.map((tool) => ({
    toolSpec: {
      name: tool.function?.name,
      ...(typeof tool.function?.description === "string" ? { description: tool.function.description } : {}),
      inputSchema: { json: tool.function?.parameters ?? { type: "object", properties: {} } },
    },
  }));
  if (request["response_format"] !== undefined) {
    // Converse has no JSON mode: the answer comes as the input of a forced tool (json-response-tool.ts).
    const jsonTool = jsonResponseToolOf(request["response_format"], request["tools"]);
    if (jsonTool === undefined) warnings.push({ type: "unsupported-parameter", parameter: "response_format" });
    else if (jsonTool !== null) {
      const clientTools = toolSpecs.length;
      toolSpecs.push({ toolSpec: { name: jsonTool.name, description: jsonTool.description, inputSchema: { json: jsonTool.schema } } });
      // Under tool_choice none the client's tools are withheld, so the JSON tool is forced alone: a JSON answer and no call to them.
      toolChoice ??= clientTools > 0 ? { any: {} } : { tool: { name: jsonTool.name } };
    }
  }
  let additionalModelRequestFields: Block | undefined;
  if (reasoning?.thinking !== undefined) {
    // As on Anthropic's own API (convert-to-anthropic-request.ts), Claude takes thinking only with tool choice auto.
    if (toolSpecs.length > 0 && forcesToolCall(toolChoice)) {
      // The client's tool_choice, or response_format answered through the forced JSON tool.
      const forcedBy = forcesToolCall(clientToolChoice) ? "tool_choice" : "response_format";
      warnings.push(dropOrRefuseReasoning(request, `Claude cannot think while ${forcedBy} forces a tool call; it takes thinking only with tool_choice auto or none`));
    } else if (currentTurnToolUseLacksThinking(messages, converseThinkingTurnBlocks)) {
      warnings.push(dropOrRefuseReasoning(request, "Claude thinks only when the current turn's last tool call comes back with its thinking block (reasoning_details), and this one has none"));
    } else {
      additionalModelRequestFields = { thinking: reasoning.thinking };
      // Thinking needs maxTokens above its budget; without a cap from the client or catalog Bedrock's default is not known to be.
      inferenceConfig["maxTokens"] = reasoning.maxTokens;
      warnings.push(...dropSamplingRefusedWhileThinking(inferenceConfig, { temperature: "temperature", top_p: "topP" }, request.provider?.require_parameters === true));
    }
  }
  // No tool offered (no `tools`, or `tool_choice: "none"`) but tool blocks in the history: the inert placeholder (bedrock-placeholder-tool.ts).
  const toolConfig =
    toolSpecs.length > 0
      ? { tools: toolSpecs, ...(toolChoice !== undefined ? { toolChoice } : {}) }
      : hasToolBlocks(messages)
        ? { tools: [bedrockPlaceholderToolSpec] }
        : undefined;

  return {
    body: {
      messages,
      ...(system.length > 0 ? { system } : {}),
      ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
      ...(toolConfig !== undefined ? { toolConfig } : {}),
      ...(additionalModelRequestFields !== undefined ? { additionalModelRequestFields } : {}),
    },
    warnings,
  };
}
