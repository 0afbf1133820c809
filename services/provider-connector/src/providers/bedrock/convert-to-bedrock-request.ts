import type { ChatMessage, ChatRequest, UpstreamWarning } from "@switchboard/contracts";
import { imageUrlOf } from "../image-url-of.js";
import { parseToolCallArguments } from "../parse-tool-call-arguments.js";
import { unsupportedRequestError } from "../unsupported-request-error.js";
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
      // Converse takes image bytes (base64 in JSON) or an S3 location, never an HTTP URL.
      if (!data) throw unsupportedRequestError(partPath, `${partPath}: the Bedrock adapter takes images as data: URIs of png, jpeg, gif or webp only`);
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

const translatedParameters = new Set(["messages", "temperature", "top_p", "stop", "tools", "tool_choice"]);

/**
 * The client's request as a Converse body (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html):
 * leading system messages lifted into `system`, `toolUse` / `toolResult` blocks in merged turns, sampling in
 * `inferenceConfig`, tools in `toolConfig`. Converse has no `none` tool choice: `tool_choice: "none"` sends
 * no tools at all. Everything else is named in a warning.
 */
export function convertToBedrockRequest(request: ChatRequest, maxCompletionTokens: number | null): { body: Record<string, unknown>; warnings: UpstreamWarning[] } {
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

  const tools = Array.isArray(request["tools"]) && request["tool_choice"] !== "none" ? (request["tools"] as OpenAITool[]) : [];
  const toolChoice = convertToolChoice(request["tool_choice"]);
  const toolConfig =
    tools.length > 0
      ? {
          tools: tools.map((tool) => ({
            toolSpec: {
              name: tool.function?.name,
              ...(typeof tool.function?.description === "string" ? { description: tool.function.description } : {}),
              inputSchema: { json: tool.function?.parameters ?? { type: "object", properties: {} } },
            },
          })),
          ...(toolChoice !== undefined ? { toolChoice } : {}),
        }
      : undefined;

  return {
    body: {
      messages,
      ...(system.length > 0 ? { system } : {}),
      ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
      ...(toolConfig !== undefined ? { toolConfig } : {}),
    },
    warnings,
  };
}
