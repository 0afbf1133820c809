import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";

/**
 * The name of the tool that carries a `response_format` answer on APIs without a JSON output mode of
 * their own (Anthropic's Messages API, Bedrock's Converse). The model is made to call it with the answer
 * as its input, which the API checks against the tool's input schema; the adapter returns that input as
 * the message text. This is vercel/ai's `json` tool (packages/anthropic, anthropic-messages-language-model.ts)
 * and OpenRouter's approach for such providers; a system instruction alone would leave the schema a wish.
 * A name of its own (not vercel's `json`) so that it does not meet a client's tool: the adapters are
 * stateless, so they recognise the answer by the name alone.
 */
export const jsonResponseToolName = "switchboard_json_response";

/** The tool a `response_format` asks for: its description and the JSON Schema of its input (the answer). */
export interface JsonResponseTool {
  name: typeof jsonResponseToolName;
  description: string;
  schema: Record<string, unknown>;
}

/**
 * The tool standing for the client's `response_format`: `json_schema` with its schema, `json_object` with
 * any object. Null when no JSON answer is asked for (absent, `text`); undefined for a type no tool can
 * express (`grammar`, `python`), which the caller names in a warning.
 */
export function jsonResponseToolOf(responseFormat: unknown, tools: unknown): JsonResponseTool | null | undefined {
  if (responseFormat === undefined || responseFormat === null) return null;
  const format = responseFormat as { type?: unknown; json_schema?: { schema?: unknown; description?: unknown } };
  if (format.type === "text") return null;
  if (Array.isArray(tools) && tools.some((tool) => (tool as { function?: { name?: unknown } }).function?.name === jsonResponseToolName)) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.unsupportedParameter, 400, `tools: a tool named ${jsonResponseToolName} cannot be combined with response_format on this provider, which answers through a tool of that name`, {
        retryable: true,
        metadata: { parameter: "response_format" },
      }),
    );
  }
  if (format.type === "json_object") return { name: jsonResponseToolName, description: "Respond with a JSON object.", schema: { type: "object" } };
  if (format.type === "json_schema") {
    const schema = format.json_schema?.schema;
    const description = typeof format.json_schema?.description === "string" ? format.json_schema.description : "Respond with a JSON object matching the schema.";
    return { name: jsonResponseToolName, description, schema: typeof schema === "object" && schema !== null ? (schema as Record<string, unknown>) : { type: "object" } };
  }
  return undefined;
}
