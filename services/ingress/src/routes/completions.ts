import type { ChatUsage, StreamPart, TextCompletion } from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import { buildChatUsage, type GenerationIdentity } from "../generation/build-chat-payloads.js";
import {
  buildTextCompletion,
  buildTextCompletionChunk,
  buildTextCompletionErrorChunk,
  convertLogprobsToCompletion,
} from "../generation/build-text-completion-payloads.js";
import { convertCompletionToChat } from "../generation/convert-completion-to-chat.js";
import { Generation } from "../generation/generation.js";
import { identityOf } from "../generation/identity-of.js";
import { sessionIdOf } from "../routing/session-id-of.js";
import type { ChatCompletionsRouteOptions } from "./chat-completions.js";
import { admitModelCaller } from "./admit-model-caller.js";
import { abortOnClientGone } from "./abort-on-client-gone.js";
import {
  answerWholeGeneration,
  endGenerationExchange,
  recordUnexpectedFailure,
  routeGenerationSettings,
  streamGeneration,
  type GenerationStreamFormat,
} from "./generation-exchange.js";

/**
 * POST /api/v1/completions: OpenAI's legacy text completions, served on chat for every provider (the
 * prompt as one user message, convert-completion-to-chat.ts) and answered in the completions shape
 * (`object: "text_completion"`, `choices[].text`), streamed or whole. Everything between is a chat
 * generation: the same key checks, routing, credit, fallback, settlement, usage and cost.
 */
export async function completionsRoutes(app: FastifyInstance, options: ChatCompletionsRouteOptions): Promise<void> {
  const settings = routeGenerationSettings(options, options.stickyEndpoints);
  app.post("/api/v1/completions", async (request, reply) => {
    const abort = abortOnClientGone(reply);
    let generation: Generation | undefined;
    try {
      const key = await admitModelCaller(options, request);
      const { chat, logprobs } = convertCompletionToChat(request.body);
      generation = new Generation({ ...settings, key, request: chat, promptBytes: request.promptBytes, sessionId: sessionIdOf(chat, request.headers["x-session-id"]) });
      request.generation = generation;
      await generation.prepare();
      reply.header("x-generation-id", generation.id);
      if (chat.stream === true) return await streamGeneration(generation, reply, abort.signal, options, textCompletionStreamFormat, { logprobs, textOffset: 0 });
      return await answerWholeGeneration(generation, reply, abort.signal, false, textCompletionOf, logprobs);
    } catch (error) {
      throw recordUnexpectedFailure(generation, error);
    } finally {
      endGenerationExchange(abort, generation);
    }
  });
}

function textCompletionOf(generation: Generation, logprobs: number | null): TextCompletion {
  const { usage } = generation.chargeableUsage(true);
  return buildTextCompletion(identityOf(generation), generation.accumulator, buildChatUsage(usage, generation.costMicros(usage)), logprobs);
}

/** What one completions stream's chunks depend on. */
interface TextCompletionStreamState {
  /** How many alternatives per token the client asked for (`logprobs`), or null for none. */
  readonly logprobs: number | null;
  /** Offsets of streamed log probabilities count from the start of the whole text. */
  textOffset: number;
}

/**
 * The completion streamed as SSE `text_completion` chunks. Reasoning, refusal and tool call parts have no
 * place in a text completion and are not sent; they are charged as chat charges them.
 */
const textCompletionStreamFormat: GenerationStreamFormat<TextCompletionStreamState> = {
  partChunk: textCompletionChunkOf,
  errorChunk: buildTextCompletionErrorChunk,
  usageChunk: (identity, usage: ChatUsage) => buildTextCompletionChunk(identity, [], { usage }),
};

function textCompletionChunkOf(identity: GenerationIdentity, part: StreamPart, state: TextCompletionStreamState): object | undefined {
  switch (part.type) {
    case "text-delta":
      return buildTextCompletionChunk(identity, [{ text: part.text, index: 0, logprobs: null, finish_reason: null }]);
    case "logprobs-delta": {
      if (state.logprobs === null || part.content === undefined) return undefined;
      const converted = convertLogprobsToCompletion(part.content, state.logprobs, state.textOffset);
      state.textOffset += part.content.reduce((length, token) => length + token.token.length, 0);
      return buildTextCompletionChunk(identity, [{ text: "", index: 0, logprobs: converted, finish_reason: null }]);
    }
    case "finish":
      return buildTextCompletionChunk(identity, [{ text: "", index: 0, logprobs: null, finish_reason: part.finishReason, native_finish_reason: part.nativeFinishReason }]);
    case "error":
      return buildTextCompletionErrorChunk(identity, part.error);
    default:
      return undefined;
  }
}
