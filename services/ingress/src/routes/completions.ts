import { SwitchboardError, type GatewayError } from "@switchboard/contracts";
import type { FastifyInstance, FastifyReply } from "fastify";
import { buildChatUsage } from "../generation/build-chat-payloads.js";
import {
  buildTextCompletion,
  buildTextCompletionChunk,
  buildTextCompletionErrorChunk,
  convertLogprobsToCompletion,
} from "../generation/build-text-completion-payloads.js";
import { convertCompletionToChat } from "../generation/convert-completion-to-chat.js";
import { Generation } from "../generation/generation.js";
import { identityOf } from "../generation/identity-of.js";
import { errorFromThrown, sendError } from "../plugins/send-error.js";
import { sessionIdOf } from "../routing/session-id-of.js";
import type { ChatCompletionsRouteOptions } from "./chat-completions.js";
import { admitModelCaller } from "./admit-model-caller.js";
import { abandon } from "./abandon-reply.js";
import { abortOnClientGone } from "./abort-on-client-gone.js";
import { ServerSentEventsWriter } from "./server-sent-events-writer.js";

/**
 * POST /api/v1/completions: OpenAI's legacy text completions, served on chat for every provider (the
 * prompt as one user message, convert-completion-to-chat.ts) and answered in the completions shape
 * (`object: "text_completion"`, `choices[].text`), streamed or whole. Everything between is a chat
 * generation: the same key checks, routing, credit, fallback, settlement, usage and cost.
 */
export async function completionsRoutes(app: FastifyInstance, options: ChatCompletionsRouteOptions): Promise<void> {
  app.post("/api/v1/completions", async (request, reply) => {
    const abort = abortOnClientGone(reply);
    let generation: Generation | undefined;
    try {
      const key = await admitModelCaller(options, request);
      const { chat, logprobs } = convertCompletionToChat(request.body);
      generation = new Generation({
        clients: options.clients,
        routing: options.routing,
        idleTimeoutMs: options.idleTimeoutMs,
        maximumDurationMs: options.maximumDurationMs,
        ...(options.fallback ? { fallback: options.fallback } : {}),
        shutdownSignal: options.shutdownSignal,
        key,
        request: chat,
        promptBytes: request.promptBytes,
        leases: options.leases,
        stickyEndpoints: options.stickyEndpoints,
        ...(options.ingressId === undefined ? {} : { ingressId: options.ingressId }),
        ...(options.outstandingFacts === undefined ? {} : { outstandingFacts: options.outstandingFacts }),
        sessionId: sessionIdOf(chat, request.headers["x-session-id"]),
      });
      request.generation = generation;
      await generation.prepare();
      reply.header("x-generation-id", generation.id);
      if (chat.stream === true) {
        await streamResponse(generation, reply, abort.signal, options, logprobs);
        return reply;
      }
      try {
        await generation.connect(abort.signal);
      } catch (error) {
        generation.publishFact(false);
        throw error;
      }
      if (generation.wasCancelled) {
        generation.publishFact(false);
        return abandon(reply);
      }
      await respondWhole(generation, reply, abort.signal, logprobs);
      return reply;
    } catch (error) {
      if (!(error instanceof SwitchboardError)) generation?.failUnexpectedly();
      throw error;
    } finally {
      abort.dispose();
      generation?.publishFact(false);
      generation?.dispose();
    }
  });
}

async function respondWhole(generation: Generation, reply: FastifyReply, signal: AbortSignal, logprobs: number | null): Promise<void> {
  let failure: GatewayError | undefined;
  for await (const part of generation.parts(signal)) {
    if (part.type === "error") failure = part.error;
  }
  if (generation.wasCancelled) {
    generation.publishFact(false);
    abandon(reply);
    return;
  }
  if (failure !== undefined) {
    generation.publishFact(false);
    await sendError(reply, failure);
    return;
  }
  const { usage } = generation.chargeableUsage(true);
  await reply.code(200).send(buildTextCompletion(identityOf(generation), generation.accumulator, buildChatUsage(usage, generation.costMicros(usage)), logprobs));
  generation.publishFact(true);
}

/**
 * Streams the completion as SSE `text_completion` chunks, as the chat route streams chat (headers with
 * the first output or after `streamCommitMs`, keep-alives meanwhile, an error chunk after the headers),
 * ending with a usage chunk (`choices: []`, with cost) and `data: [DONE]`. Reasoning, refusal and tool
 * call parts have no place in a text completion and are not sent; they are charged as chat charges them.
 */
async function streamResponse(generation: Generation, reply: FastifyReply, signal: AbortSignal, options: ChatCompletionsRouteOptions, logprobs: number | null): Promise<void> {
  const events = new ServerSentEventsWriter(reply, generation.id, options.keepAliveMs, AbortSignal.any([signal, generation.deadline]));
  const commit = setTimeout(() => events.open(), options.streamCommitMs);
  try {
    try {
      await generation.connect(signal);
    } finally {
      clearTimeout(commit);
    }
  } catch (error) {
    generation.publishFact(false);
    if (!events.opened) throw error;
    await events.send(buildTextCompletionErrorChunk(identityOf(generation), errorFromThrown(error)));
    await finishStream(generation, events);
    return;
  }
  if (generation.wasCancelled) {
    generation.publishFact(false);
    if (events.opened) events.close();
    else abandon(reply);
    return;
  }
  events.open();
  const identity = identityOf(generation);
  // Offsets of streamed log probabilities count from the start of the whole text.
  let textOffset = 0;
  try {
    for await (const part of generation.parts(signal)) {
      switch (part.type) {
        case "text-delta":
          await events.send(buildTextCompletionChunk(identity, [{ text: part.text, index: 0, logprobs: null, finish_reason: null }]));
          break;
        case "logprobs-delta": {
          if (logprobs === null || part.content === undefined) break;
          const converted = convertLogprobsToCompletion(part.content, logprobs, textOffset);
          textOffset += part.content.reduce((length, token) => length + token.token.length, 0);
          await events.send(buildTextCompletionChunk(identity, [{ text: "", index: 0, logprobs: converted, finish_reason: null }]));
          break;
        }
        case "finish":
          await events.send(buildTextCompletionChunk(identity, [{ text: "", index: 0, logprobs: null, finish_reason: part.finishReason, native_finish_reason: part.nativeFinishReason }]));
          break;
        case "error":
          await events.send(buildTextCompletionErrorChunk(identity, part.error));
          break;
        default:
          break;
      }
    }
    if (!generation.wasCancelled) await finishStream(generation, events);
  } finally {
    events.close();
    generation.publishFact(true);
  }
}

/** The usage chunk (`choices: []`, with cost) and `[DONE]` that end every stream, then the end. */
async function finishStream(generation: Generation, events: ServerSentEventsWriter): Promise<void> {
  const { usage } = generation.chargeableUsage(true);
  await events.send(buildTextCompletionChunk(identityOf(generation), [], { usage: buildChatUsage(usage, generation.costMicros(usage)) }));
  await events.done();
  events.close();
}
