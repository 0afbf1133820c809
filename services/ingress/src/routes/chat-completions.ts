import { chatRequestSchema, type ChatResponse, type ChatUsage, type StreamPart } from "@switchboard/contracts";
import { RoutingRefusal } from "@switchboard/routing";
import type { FastifyInstance } from "fastify";
import { buildChatChunk, buildChatResponse, buildChatUsage, buildErrorChunk, type GenerationIdentity } from "../generation/build-chat-payloads.js";
import { identityOf } from "../generation/identity-of.js";
import { Generation } from "../generation/generation.js";
import { sessionIdOf } from "../routing/session-id-of.js";
import { routingDebugRequestHeader, routingDebugResponseHeader, wantsRoutingDebug } from "../routing/describe-routing.js";
import type { StickyEndpoints } from "../routing/sticky-endpoints.js";
import { admitModelCaller, type ModelCallerAdmission } from "./admit-model-caller.js";
import {
  answerWholeGeneration,
  endGenerationExchange,
  recordUnexpectedFailure,
  routeGenerationSettings,
  streamGeneration,
  type GenerationRouteOptions,
  type GenerationStreamFormat,
} from "./generation-exchange.js";
import { abortOnClientGone } from "./abort-on-client-gone.js";
import { parseRequestBody } from "./parse-request-part.js";

export interface ChatCompletionsRouteOptions extends GenerationRouteOptions, ModelCallerAdmission {
  keepAliveMs: number;
  /** Without output by then, a stream sends its headers and keep-alive comments (errors become SSE chunks). */
  streamCommitMs: number;
  /** This replica's sticky routing for prompt caching, or null when disabled. */
  stickyEndpoints: StickyEndpoints | null;
}

/** POST /api/v1/chat/completions: OpenAI-compatible, streaming (SSE) and not. */
export async function chatCompletionsRoutes(app: FastifyInstance, options: ChatCompletionsRouteOptions): Promise<void> {
  const settings = routeGenerationSettings(options, options.stickyEndpoints);
  app.post("/api/v1/chat/completions", async (request, reply) => {
    // Watch for the client leaving from the start: one that leaves while we route and reserve must
    // still cancel the upstream call and not be charged for it.
    const abort = abortOnClientGone(reply);
    let generation: Generation | undefined;
    try {
      const debugRouting = wantsRoutingDebug(request.headers[routingDebugRequestHeader]);
      const key = await admitModelCaller(options, request);
      const body = parseRequestBody(chatRequestSchema, request.body, "Request body must be a JSON object with `model` and `messages`.");
      generation = new Generation({ ...settings, key, request: body, promptBytes: request.promptBytes, sessionId: sessionIdOf(body, request.headers["x-session-id"]) });
      request.generation = generation;
      try {
        await generation.prepare();
      } catch (error) {
        // A refusal shows which endpoints were left out and why, the case the debug output helps most.
        if (debugRouting && error instanceof RoutingRefusal) reply.header(routingDebugResponseHeader, generation.describeRouting(false));
        throw error;
      }
      reply.header("x-generation-id", generation.id);
      if (body.stream === true) {
        // A stream's headers may go out before its first attempt ends: the plan only, no attempts. Set on
        // the raw response, whose headers the SSE writer's writeHead (and an error reply) merge in.
        if (debugRouting) reply.raw.setHeader(routingDebugResponseHeader, generation.describeRouting(false));
        return await streamGeneration(generation, reply, abort.signal, options, chatStreamFormat, { roleSent: false });
      }
      return await answerWholeGeneration(generation, reply, abort.signal, debugRouting, chatResponseOf, null);
    } catch (error) {
      throw recordUnexpectedFailure(generation, error);
    } finally {
      endGenerationExchange(abort, generation);
    }
  });
}

function chatResponseOf(generation: Generation): ChatResponse {
  const { usage } = generation.chargeableUsage(true);
  return buildChatResponse(identityOf(generation), generation.accumulator, buildChatUsage(usage, generation.costMicros(usage)));
}

/** What one chat stream's chunks depend on: only the first delta of a message names its role. */
interface ChatStreamState {
  roleSent: boolean;
}

const chatStreamFormat: GenerationStreamFormat<ChatStreamState> = {
  partChunk: chatChunkOf,
  errorChunk: buildErrorChunk,
  usageChunk: (identity, usage: ChatUsage) => buildChatChunk(identity, [], { usage }),
};

function roleOf(state: ChatStreamState): { role?: "assistant" } {
  if (state.roleSent) return {};
  state.roleSent = true;
  return { role: "assistant" as const };
}

function chatChunkOf(identity: GenerationIdentity, part: StreamPart, state: ChatStreamState): object | undefined {
  switch (part.type) {
    case "text-delta":
      return buildChatChunk(identity, [{ index: 0, delta: { ...roleOf(state), content: part.text }, finish_reason: null }]);
    case "reasoning-delta":
      return buildChatChunk(identity, [
        { index: 0, delta: { ...roleOf(state), content: "", reasoning: part.text, ...(part.detail === undefined ? {} : { reasoning_details: [part.detail] }) }, finish_reason: null },
      ]);
    case "reasoning-detail":
      return buildChatChunk(identity, [{ index: 0, delta: { ...roleOf(state), content: "", reasoning_details: [part.detail] }, finish_reason: null }]);
    case "refusal-delta":
      return buildChatChunk(identity, [{ index: 0, delta: { ...roleOf(state), refusal: part.text }, finish_reason: null }]);
    case "logprobs-delta":
      // OpenAI sends a chunk's token log probabilities beside its text; here they follow it in a chunk of their own.
      return buildChatChunk(identity, [{ index: 0, delta: {}, finish_reason: null, logprobs: { content: part.content ?? null, refusal: part.refusal ?? null } }]);
    case "tool-call-delta": {
      const call = { index: part.index, ...(part.id ? { id: part.id, type: "function" as const } : {}), function: { ...(part.name ? { name: part.name } : {}), arguments: part.argumentsDelta } };
      return buildChatChunk(identity, [{ index: 0, delta: { ...roleOf(state), tool_calls: [call] }, finish_reason: null }]);
    }
    case "finish":
      return buildChatChunk(identity, [{ index: 0, delta: {}, finish_reason: part.finishReason, native_finish_reason: part.nativeFinishReason }]);
    case "error":
      return buildErrorChunk(identity, part.error);
    case "hidden-reasoning-delta":
      // Reasoning the client asked not to see: it counts (charge, no fallback) but is never shown.
      return undefined;
    case "stream-start":
    case "usage":
    case "stream-end":
    case "heartbeat":
      return undefined;
  }
}
