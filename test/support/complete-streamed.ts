import type OpenAI from "openai";
import { chatChunkSchema } from "@switchboard/contracts";

/**
 * Streams a chat completion and returns it whole, as the openai SDK's stream helper assembles it from the
 * chunks (tool-call argument deltas joined, the finish reason and the usage chunk kept), so a streamed
 * answer compares field by field with a whole one. Every chunk must parse with Switchboard's chunk contract.
 */
export async function completeStreamed(client: OpenAI, request: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming): Promise<OpenAI.Chat.ChatCompletion> {
  const stream = client.chat.completions.stream({ ...request, stream: true });
  const invalidChunks: string[] = [];
  stream.on("chunk", (chunk) => {
    const parsed = chatChunkSchema.safeParse(chunk);
    if (!parsed.success) invalidChunks.push(`${JSON.stringify(chunk)}: ${parsed.error.message}`);
  });
  const completion = await stream.finalChatCompletion();
  if (invalidChunks.length > 0) throw new Error(`chunks outside the contract:\n${invalidChunks.join("\n")}`);
  return completion;
}
