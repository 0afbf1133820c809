import { gatewayError, gatewayErrorCodes, SwitchboardError, type ChatUsage, type GatewayError, type StreamPart } from "@switchboard/contracts";
import type { FastifyReply } from "fastify";
import { buildChatUsage, type GenerationIdentity } from "../generation/build-chat-payloads.js";
import type { FallbackPolicy } from "../generation/fallback-policy.js";
import type { Generation, GenerationSettings } from "../generation/generation.js";
import { identityOf } from "../generation/identity-of.js";
import type { OutstandingFacts } from "../generation/outstanding-facts.js";
import type { CreditLeases } from "../credit/credit-leases.js";
import { errorFromThrown, sendError } from "../plugins/send-error.js";
import type { ServiceClients } from "../plugins/service-clients.js";
import { routingDebugResponseHeader } from "../routing/describe-routing.js";
import type { LocalRouting } from "../routing/local-routing.js";
import type { StickyEndpoints } from "../routing/sticky-endpoints.js";
import { abandon } from "./abandon-reply.js";
import { ServerSentEventsWriter } from "./server-sent-events-writer.js";

/*
 * One generation served over one HTTP exchange: the steps the model routes (chat completions, legacy
 * completions, embeddings) share, from the generation's settings to the end of the exchange. Each route
 * keeps its own parsing and response shapes. These are plain functions called on the request path: they
 * take what they need as arguments, and a route's settings and stream format are built once, when the
 * route is registered, not per request.
 */

/** What a model route needs to run generations (besides admitting the caller, admit-model-caller.ts). */
export interface GenerationRouteOptions {
  clients: ServiceClients;
  /** Ranks candidates in process from the router's routing snapshot. */
  routing: LocalRouting;
  idleTimeoutMs: number;
  maximumDurationMs: number;
  fallback?: FallbackPolicy;
  /** Fires when ingress stops: running generations end and publish their facts. */
  shutdownSignal: AbortSignal;
  /** This replica's credit leases, or null when disabled. */
  leases: CreditLeases | null;
  /** This replica's name in its heartbeats, passed to the connector with each attempt (issue 10). */
  ingressId?: string;
  /** With `ingressId`: this replica's generations whose completion fact is not stored yet (issue 10). */
  outstandingFacts?: OutstandingFacts;
}

/** A route's generation settings: everything but the key, the request and what is read from it. */
export type RouteGenerationSettings = Omit<GenerationSettings, "key" | "promptBytes" | "sessionId">;

/** The settings every generation of a route starts with; build once per route, spread into each generation. */
export function routeGenerationSettings(options: GenerationRouteOptions, stickyEndpoints: StickyEndpoints | null): RouteGenerationSettings {
  return {
    clients: options.clients,
    routing: options.routing,
    idleTimeoutMs: options.idleTimeoutMs,
    maximumDurationMs: options.maximumDurationMs,
    ...(options.fallback ? { fallback: options.fallback } : {}),
    shutdownSignal: options.shutdownSignal,
    leases: options.leases,
    stickyEndpoints,
    ...(options.ingressId === undefined ? {} : { ingressId: options.ingressId }),
    ...(options.outstandingFacts === undefined ? {} : { outstandingFacts: options.outstandingFacts }),
  };
}

/**
 * For a route's `catch` (`throw recordUnexpectedFailure(generation, error)`): a refusal (routing, credits)
 * or a failure already recorded keeps its status; anything else is a bug on our side, recorded as a
 * failure, not charged as a success. Returns `error`, to be rethrown.
 */
export function recordUnexpectedFailure(generation: Generation | undefined, error: unknown): unknown {
  if (!(error instanceof SwitchboardError)) generation?.failUnexpectedly();
  return error;
}

/**
 * For a route's `finally`: stops watching the client and releases the generation. Every path publishes
 * the fact itself; this only catches a bug's path, so a held reservation is voided now rather than at
 * expiry. publishFact ignores a second call.
 */
export function endGenerationExchange(clientGone: { dispose(): void }, generation: Generation | undefined): void {
  clientGone.dispose();
  generation?.publishFact(false);
  generation?.dispose();
}

/**
 * What a route answers once a generation's output is all in and without error; undefined when the output
 * is not a whole answer (the connector checks it, so that is a bug: answered 500, never a partial answer).
 * Computing it takes the charge (`chargeableUsage`).
 */
export type WholeResponseOf<Context> = (generation: Generation, context: Context) => object | undefined;

/**
 * Connects a prepared generation, reads all of its output and answers it whole: `respond`'s answer with
 * 200, the generation's error, or nothing when the client left. With `routingDebug`, the routing debug
 * header (attempts included) is set once the attempts are over, whatever their outcome. Returns the reply,
 * for the handler to return.
 */
export async function answerWholeGeneration<Context>(
  generation: Generation,
  reply: FastifyReply,
  signal: AbortSignal,
  routingDebug: boolean,
  respond: WholeResponseOf<Context>,
  context: Context,
): Promise<FastifyReply> {
  try {
    await generation.connect(signal);
  } catch (error) {
    generation.publishFact(false);
    if (routingDebug) reply.header(routingDebugResponseHeader, generation.describeRouting(true));
    throw error;
  }
  if (routingDebug) reply.header(routingDebugResponseHeader, generation.describeRouting(true));
  if (generation.wasCancelled) {
    generation.publishFact(false);
    return abandon(reply);
  }
  let failure: GatewayError | undefined;
  for await (const part of generation.parts(signal)) {
    if (part.type === "error") failure = part.error;
  }
  if (generation.wasCancelled) {
    generation.publishFact(false);
    return abandon(reply);
  }
  const response = failure === undefined ? respond(generation, context) : undefined;
  if (response === undefined) {
    if (failure === undefined) generation.failUnexpectedly();
    generation.publishFact(false);
    await sendError(reply, failure ?? gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true }));
    return reply;
  }
  await reply.code(200).send(response);
  generation.publishFact(true);
  return reply;
}

/** How a route writes its chunks; `State` is what one stream's chunks depend on, changed as parts pass. */
export interface GenerationStreamFormat<State> {
  /** The chunk a part becomes (an error part: the in-band error chunk), or undefined when the part is not shown. */
  partChunk(identity: GenerationIdentity, part: StreamPart, state: State): object | undefined;
  /** The in-band error of a stream that already sent its headers, when connecting failed after they went out. */
  errorChunk(identity: GenerationIdentity, error: GatewayError): object;
  /** The last chunk of every stream: no choices, the usage with its cost. */
  usageChunk(identity: GenerationIdentity, usage: ChatUsage): object;
}

/**
 * Streams a prepared generation as SSE. Headers are sent with the first output, or after `streamCommitMs`
 * without one (then keep-alive comments flow while candidates are tried); a failure before that is a plain
 * HTTP error, a failure after it an SSE error chunk. Either way a stream that opened ends with a usage
 * chunk and `data: [DONE]`. Returns the reply, for the handler to return.
 */
export async function streamGeneration<State>(
  generation: Generation,
  reply: FastifyReply,
  signal: AbortSignal,
  timing: { keepAliveMs: number; streamCommitMs: number },
  format: GenerationStreamFormat<State>,
  state: State,
): Promise<FastifyReply> {
  const events = new ServerSentEventsWriter(reply, generation.id, timing.keepAliveMs, AbortSignal.any([signal, generation.deadline]));
  const commit = setTimeout(() => events.open(), timing.streamCommitMs);
  try {
    try {
      await generation.connect(signal);
    } finally {
      clearTimeout(commit);
    }
  } catch (error) {
    generation.publishFact(false);
    if (!events.opened) throw error;
    await events.send(format.errorChunk(identityOf(generation), errorFromThrown(error)));
    await finishStream(generation, events, format);
    return reply;
  }
  if (generation.wasCancelled) {
    generation.publishFact(false);
    if (events.opened) events.close();
    else abandon(reply);
    return reply;
  }
  events.open();
  const identity = identityOf(generation);
  try {
    for await (const part of generation.parts(signal)) {
      const chunk = format.partChunk(identity, part, state);
      if (chunk !== undefined) await events.send(chunk);
    }
    if (!generation.wasCancelled) await finishStream(generation, events, format);
  } finally {
    events.close();
    generation.publishFact(true);
  }
  return reply;
}

/** The usage chunk (`choices: []`, with cost) and `[DONE]` that end every stream, then the end. */
async function finishStream<State>(generation: Generation, events: ServerSentEventsWriter, format: GenerationStreamFormat<State>): Promise<void> {
  const { usage } = generation.chargeableUsage(true);
  await events.send(format.usageChunk(identityOf(generation), buildChatUsage(usage, generation.costMicros(usage))));
  await events.done();
  events.close();
}
