import { chatRequestSchema, gatewayError, gatewayErrorCodes, invalidRequestError, SwitchboardError, type ChatRequest, type StreamPart } from "@switchboard/contracts";
import type { KeyRateLimit } from "@switchboard/contracts";
import { RoutingRefusal } from "@switchboard/routing";
import type { FastifyInstance, FastifyReply } from "fastify";
import { buildChatChunk, buildChatResponse, buildChatUsage, buildErrorChunk } from "../generation/build-chat-payloads.js";
import { identityOf } from "../generation/identity-of.js";
import type { FallbackPolicy } from "../generation/fallback-policy.js";
import { Generation } from "../generation/generation.js";
import type { OutstandingFacts } from "../generation/outstanding-facts.js";
import type { KeyAuthenticator } from "../plugins/authenticate.js";
import { errorFromThrown, sendError } from "../plugins/send-error.js";
import type { ServiceClients } from "../plugins/service-clients.js";
import type { CreditLeases } from "../credit/credit-leases.js";
import { sessionIdOf } from "../routing/session-id-of.js";
import { routingDebugRequestHeader, routingDebugResponseHeader, wantsRoutingDebug } from "../routing/describe-routing.js";
import type { LocalRouting } from "../routing/local-routing.js";
import type { StickyEndpoints } from "../routing/sticky-endpoints.js";
import type { RateLimiter } from "../rate-limits/rate-limiter.js";
import { admitModelCaller } from "./admit-model-caller.js";
import { abandon } from "./abandon-reply.js";
import { abortOnClientGone } from "./abort-on-client-gone.js";
import { ServerSentEventsWriter } from "./server-sent-events-writer.js";

export interface ChatCompletionsRouteOptions {
  clients: ServiceClients;
  /** Ranks candidates in process from the router's routing snapshot. */
  routing: LocalRouting;
  authenticator: KeyAuthenticator;
  idleTimeoutMs: number;
  maximumDurationMs: number;
  fallback?: FallbackPolicy;
  keepAliveMs: number;
  /** Without output by then, a stream sends its headers and keep-alive comments (errors become SSE chunks). */
  streamCommitMs: number;
  /** Fires when ingress stops: running generations end and publish their facts. */
  shutdownSignal: AbortSignal;
  /** This replica's credit leases, or null when disabled. */
  leases: CreditLeases | null;
  /** This replica's sticky routing for prompt caching, or null when disabled. */
  stickyEndpoints: StickyEndpoints | null;
  /** This replica's name in its heartbeats, passed to the connector with each attempt (issue 10). */
  ingressId?: string;
  /** With `ingressId`: this replica's generations whose completion fact is not stored yet (issue 10). */
  outstandingFacts?: OutstandingFacts;
  /** Per-key rate limits: this replica's limiter, and the limit of keys without their own (null: none). */
  rateLimits: { limiter: RateLimiter; defaultLimit: KeyRateLimit | null };
}

/** POST /api/v1/chat/completions: OpenAI-compatible, streaming (SSE) and not. */
export async function chatCompletionsRoutes(app: FastifyInstance, options: ChatCompletionsRouteOptions): Promise<void> {
  app.post("/api/v1/chat/completions", async (request, reply) => {
    // Watch for the client leaving from the start: one that leaves while we route and reserve must
    // still cancel the upstream call and not be charged for it.
    const abort = abortOnClientGone(reply);
    let generation: Generation | undefined;
    try {
      const debugRouting = wantsRoutingDebug(request.headers[routingDebugRequestHeader]);
      const key = await admitModelCaller(options, request);
      const body = parseChatRequest(request.body);
      generation = new Generation({
        clients: options.clients,
        routing: options.routing,
        idleTimeoutMs: options.idleTimeoutMs,
        maximumDurationMs: options.maximumDurationMs,
        ...(options.fallback ? { fallback: options.fallback } : {}),
        shutdownSignal: options.shutdownSignal,
        key,
        request: body,
        promptBytes: request.promptBytes,
        leases: options.leases,
        stickyEndpoints: options.stickyEndpoints,
        ...(options.ingressId === undefined ? {} : { ingressId: options.ingressId }),
        ...(options.outstandingFacts === undefined ? {} : { outstandingFacts: options.outstandingFacts }),
        sessionId: sessionIdOf(body, request.headers["x-session-id"]),
      });
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
        await streamResponse(generation, reply, abort.signal, options);
        return reply;
      }
      try {
        await generation.connect(abort.signal);
      } catch (error) {
        generation.publishFact(false);
        if (debugRouting) reply.header(routingDebugResponseHeader, generation.describeRouting(true));
        throw error;
      }
      if (debugRouting) reply.header(routingDebugResponseHeader, generation.describeRouting(true));
      if (generation.wasCancelled) {
        generation.publishFact(false);
        return abandon(reply);
      }
      await respondWhole(generation, reply, abort.signal);
      return reply;
    } catch (error) {
      // A refusal (routing, credits) or a failure already recorded keeps its status; anything else is a
      // bug on our side: recorded as a failure, not charged as a success.
      if (!(error instanceof SwitchboardError)) generation?.failUnexpectedly();
      throw error;
    } finally {
      abort.dispose();
      // Every path above publishes the fact itself; this only catches a bug's path, so a held
      // reservation is voided now rather than at expiry. publishFact ignores a second call.
      generation?.publishFact(false);
      generation?.dispose();
    }
  });
}

function parseChatRequest(body: unknown): ChatRequest {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "Request body must be a JSON object with `model` and `messages`."));
  }
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) throw new SwitchboardError(invalidRequestError(parsed.error));
  return parsed.data;
}

async function respondWhole(generation: Generation, reply: FastifyReply, signal: AbortSignal): Promise<void> {
  let failure: StreamPart | undefined;
  for await (const part of generation.parts(signal)) {
    if (part.type === "error") failure = part;
  }
  if (generation.wasCancelled) {
    generation.publishFact(false);
    abandon(reply);
    return;
  }
  if (failure?.type === "error") {
    generation.publishFact(false);
    await sendError(reply, failure.error);
    return;
  }
  const { usage } = generation.chargeableUsage(true);
  const response = buildChatResponse(identityOf(generation), generation.accumulator, buildChatUsage(usage, generation.costMicros(usage)));
  await reply.code(200).send(response);
  generation.publishFact(true);
}

/**
 * Streams a generation as SSE. Headers are sent with the first output, or after `streamCommitMs` without
 * one (then keep-alive comments flow while candidates are tried); a failure before that is a plain HTTP
 * error, a failure after it an SSE error chunk. Either way a stream that opened ends with a usage chunk
 * and `data: [DONE]`.
 */
async function streamResponse(generation: Generation, reply: FastifyReply, signal: AbortSignal, options: ChatCompletionsRouteOptions): Promise<void> {
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
    const failure = errorFromThrown(error);
    await events.send(buildErrorChunk(identityOf(generation), failure));
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
  let roleSent = false;
  const role = () => {
    if (roleSent) return {};
    roleSent = true;
    return { role: "assistant" as const };
  };
  try {
    for await (const part of generation.parts(signal)) {
      switch (part.type) {
        case "text-delta":
          await events.send(buildChatChunk(identity, [{ index: 0, delta: { ...role(), content: part.text }, finish_reason: null }]));
          break;
        case "reasoning-delta":
          await events.send(
            buildChatChunk(identity, [
              { index: 0, delta: { ...role(), content: "", reasoning: part.text, ...(part.detail === undefined ? {} : { reasoning_details: [part.detail] }) }, finish_reason: null },
            ]),
          );
          break;
        case "reasoning-detail":
          await events.send(buildChatChunk(identity, [{ index: 0, delta: { ...role(), content: "", reasoning_details: [part.detail] }, finish_reason: null }]));
          break;
        case "refusal-delta":
          await events.send(buildChatChunk(identity, [{ index: 0, delta: { ...role(), refusal: part.text }, finish_reason: null }]));
          break;
        case "logprobs-delta":
          // OpenAI sends a chunk's token log probabilities beside its text; here they follow it in a chunk of their own.
          await events.send(
            buildChatChunk(identity, [{ index: 0, delta: {}, finish_reason: null, logprobs: { content: part.content ?? null, refusal: part.refusal ?? null } }]),
          );
          break;
        case "tool-call-delta": {
          const call = { index: part.index, ...(part.id ? { id: part.id, type: "function" as const } : {}), function: { ...(part.name ? { name: part.name } : {}), arguments: part.argumentsDelta } };
          await events.send(buildChatChunk(identity, [{ index: 0, delta: { ...role(), tool_calls: [call] }, finish_reason: null }]));
          break;
        }
        case "finish":
          await events.send(buildChatChunk(identity, [{ index: 0, delta: {}, finish_reason: part.finishReason, native_finish_reason: part.nativeFinishReason }]));
          break;
        case "error":
          await events.send(buildErrorChunk(identity, part.error));
          break;
        case "hidden-reasoning-delta":
          // Reasoning the client asked not to see: it counts (charge, no fallback) but is never shown.
          break;
        case "stream-start":
        case "usage":
        case "stream-end":
        case "heartbeat":
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
  await events.send(buildChatChunk(identityOf(generation), [], { usage: buildChatUsage(usage, generation.costMicros(usage)) }));
  await events.done();
  events.close();
}
