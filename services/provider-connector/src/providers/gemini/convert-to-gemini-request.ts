import type { ChatRequest, UpstreamWarning } from "@switchboard/contracts";
import { gatewayRequestParameters } from "../gateway-request-parameters.js";
import { convertToGeminiContents } from "./convert-to-gemini-contents.js";
import { convertToGeminiThinkingConfig } from "./convert-to-gemini-thinking-config.js";

/** What the Gemini request is built from besides the client's body. */
export interface GeminiRequestOptions {
  maxCompletionTokens: number | null;
  /** Decides how an effort is sent (convert-to-gemini-thinking-config.ts). */
  upstreamModel: string;
}

type OpenAITool = { function?: { name?: unknown; description?: unknown; parameters?: unknown } };

function convertTools(tools: unknown): Record<string, unknown>[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const functionDeclarations = (tools as OpenAITool[]).map((tool) => ({
    name: tool.function?.name,
    ...(typeof tool.function?.description === "string" ? { description: tool.function.description } : {}),
    // parametersJsonSchema takes JSON Schema as clients write it; the older `parameters` is an OpenAPI
    // subset that rejects keywords such as additionalProperties or $ref.
    ...(tool.function?.parameters !== undefined ? { parametersJsonSchema: tool.function.parameters } : {}),
  }));
  return [{ functionDeclarations }];
}

/** OpenAI `tool_choice` → Gemini `toolConfig.functionCallingConfig`. */
function convertToolChoice(toolChoice: unknown): Record<string, unknown> | undefined {
  if (toolChoice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (toolChoice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (toolChoice === "required") return { functionCallingConfig: { mode: "ANY" } };
  const name = typeof toolChoice === "object" && toolChoice !== null ? (toolChoice as { function?: { name?: unknown } }).function?.name : undefined;
  if (typeof name === "string") return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
  return undefined;
}

/** `response_format` → the generation config's JSON output fields; undefined for text or an unknown type. */
function convertResponseFormat(responseFormat: unknown): Record<string, unknown> | undefined {
  if (typeof responseFormat !== "object" || responseFormat === null) return undefined;
  const format = responseFormat as { type?: unknown; json_schema?: { schema?: unknown } };
  if (format.type === "json_object") return { responseMimeType: "application/json" };
  if (format.type === "json_schema" && format.json_schema?.schema !== undefined) return { responseMimeType: "application/json", responseJsonSchema: format.json_schema.schema };
  return undefined;
}

/** Client keys translated below; every other key is dropped and named in a warning. */
const translatedParameters = new Set([
  "messages",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "tools",
  "tool_choice",
  "response_format",
  "reasoning",
  "reasoning_effort",
]);

/** Request fields copied into `generationConfig` under Gemini's name when they are numbers. */
const numericGenerationFields: readonly (readonly [string, string])[] = [
  ["temperature", "temperature"],
  ["top_p", "topP"],
  ["top_k", "topK"],
  ["seed", "seed"],
  ["presence_penalty", "presencePenalty"],
  ["frequency_penalty", "frequencyPenalty"],
];

/**
 * The client's OpenAI-shaped request as a Gemini `generateContent` body, and warnings naming what it could
 * not carry (https://ai.google.dev/api/generate-content#request-body). The model and the streaming switch
 * are in the URL, not the body.
 */
export function convertToGeminiRequest(request: ChatRequest, options: GeminiRequestOptions): { body: Record<string, unknown>; warnings: UpstreamWarning[] } {
  const { maxCompletionTokens } = options;
  const warnings: UpstreamWarning[] = [];
  for (const [key, value] of Object.entries(request)) {
    if (value !== undefined && !translatedParameters.has(key) && !gatewayRequestParameters.has(key)) warnings.push({ type: "unsupported-parameter", parameter: key });
  }
  const generationConfig: Record<string, unknown> = {};
  for (const [from, to] of numericGenerationFields) {
    if (typeof request[from] === "number") generationConfig[to] = request[from];
  }
  if (maxCompletionTokens !== null) generationConfig["maxOutputTokens"] = maxCompletionTokens;
  if (typeof request.stop === "string") generationConfig["stopSequences"] = [request.stop];
  else if (Array.isArray(request.stop)) generationConfig["stopSequences"] = request.stop;
  const responseFormat = convertResponseFormat(request["response_format"]);
  if (responseFormat) Object.assign(generationConfig, responseFormat);
  else if (request["response_format"] !== undefined && (request["response_format"] as { type?: unknown } | null)?.type !== "text") {
    warnings.push({ type: "unsupported-parameter", parameter: "response_format" });
  }

  if (request.reasoning !== undefined || request.reasoning_effort !== undefined) {
    const thinking = convertToGeminiThinkingConfig(request, options);
    if (thinking.thinkingConfig !== undefined) generationConfig["thinkingConfig"] = thinking.thinkingConfig;
    warnings.push(...thinking.warnings);
  }

  const tools = convertTools(request["tools"]);
  const toolConfig = convertToolChoice(request["tool_choice"]);
  return {
    body: {
      ...convertToGeminiContents(request.messages),
      ...(tools !== undefined ? { tools } : {}),
      ...(toolConfig !== undefined ? { toolConfig } : {}),
      ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
    },
    warnings,
  };
}
