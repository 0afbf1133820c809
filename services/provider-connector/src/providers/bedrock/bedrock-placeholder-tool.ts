/**
 * The tool offered to Converse when the conversation holds `toolUse` / `toolResult` blocks but the client
 * offers no tool this turn: it sent no `tools` (a client replaying a conversation for a text answer), or
 * `tool_choice: "none"`. Converse refuses such a request without `toolConfig` ("The toolConfig field must
 * be defined when using toolUse and toolResult content blocks.",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html), and its `toolChoice`
 * has no `none` (only auto, any and tool). Sending the client's own tools would let the model call them
 * against `tool_choice: "none"`; rewriting the history's tool blocks as text would change the prompt the
 * client sent. So the one tool offered is this inert one, told never to be used: the history goes as sent
 * and the model has none of the client's tools to call, as OpenAI's API behaves. vercel/ai's Bedrock
 * provider does the same (`_ai_sdk_placeholder`, packages/amazon-bedrock, bedrock-prepare-tools.ts).
 * Nothing the client sent is dropped, so no warning is named. Should a model call it all the same, the
 * adapter drops that call from the answer (whole and streamed): the client offered no such tool. So that
 * dropping never hides a call the client asked for, a client tool of this name is refused.
 */
export const bedrockPlaceholderToolName = "switchboard_no_tool";

export const bedrockPlaceholderToolSpec = {
  toolSpec: {
    name: bedrockPlaceholderToolName,
    description: "Placeholder: no tool is available in this turn. Never call it; answer with text.",
    inputSchema: { json: { type: "object", properties: {}, additionalProperties: false } },
  },
} as const;

/** Whether Converse messages hold `toolUse` or `toolResult` blocks, which make Converse require a `toolConfig`. */
export function hasToolBlocks(messages: readonly { content: readonly Record<string, unknown>[] }[]): boolean {
  return messages.some((message) => message.content.some((block) => block["toolUse"] !== undefined || block["toolResult"] !== undefined));
}
