import { Svcm, type ServiceMsg } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/transport-node";
import { SpanKind } from "@opentelemetry/api";
import { gatewayError, gatewayErrorCodes, invalidRequestError, SwitchboardError, type GatewayError } from "@switchboard/contracts";
import { isTracing, markSpanFailed, messagingOperationTypes, runInSpan } from "@switchboard/telemetry";
import type { Logger } from "pino";
import type { z } from "zod";
import { startMessagingSpan } from "./messaging-span.js";
import { extractTraceContext } from "./trace-context-headers.js";
import { respondWithError, toGatewayError } from "./wire-error.js";

/** Context a handler gets besides its parsed request. */
export interface EndpointContext {
  /** The raw message, for handlers that need headers. */
  message: ServiceMsg;
}

/** One request/reply endpoint: its full subject, the schema of its request, and the handler. */
export interface EndpointDefinition<Schema extends z.ZodType = z.ZodType> {
  subject: string;
  requestSchema: Schema;
  handler: (request: z.infer<Schema>, context: EndpointContext) => Promise<unknown>;
  /**
   * The handler answers through messages of its own (the connector's numbered parts, sent to the reply
   * subject), so what it returns is not sent. What it throws is still answered as an error reply.
   */
  answersItself?: boolean;
}

/** Helper that keeps the request type of each endpoint checked against its schema. */
export function defineEndpoint<Schema extends z.ZodType>(definition: EndpointDefinition<Schema>): EndpointDefinition {
  return definition as unknown as EndpointDefinition;
}

export interface ServeEndpointsOptions {
  name: string;
  version: string;
  description: string;
  queue: string;
  endpoints: EndpointDefinition[];
  logger: Logger;
  /**
   * A dependency whose outage the handlers may hit (the database): its failures are answered as a
   * retryable 503 naming it, so callers see an outage rather than a 500 that looks like a bug.
   */
  dependency?: { name: string; isUnavailable: (thrown: unknown) => boolean };
}

/** A running set of endpoints. */
export interface ServedEndpoints {
  /** Stops taking requests, then waits for the handlers already running to answer. */
  stop(): Promise<void>;
}

/**
 * Registers a NATS micro service (so `$SRV.PING/INFO/STATS` work) whose endpoints parse their request
 * with zod, run an async handler and answer JSON or a GatewayError. Async handler rejections are caught
 * here: the services framework would otherwise leave the caller waiting for its timeout. Each request is
 * handled in a SERVER span whose parent is the trace context its headers carry (the caller's CLIENT span).
 */
export async function serveEndpoints(connection: NatsConnection, options: ServeEndpointsOptions): Promise<ServedEndpoints> {
  const inFlight = new Set<Promise<unknown>>();
  const service = await new Svcm(connection).add({
    name: options.name,
    version: options.version,
    description: options.description,
    queue: options.queue,
  });
  for (const endpoint of options.endpoints) {
    const endpointName = endpoint.subject.slice(endpoint.subject.lastIndexOf(".") + 1);
    service.addEndpoint(endpointName, {
      subject: endpoint.subject,
      handler: (error, message) => {
        if (error) {
          options.logger.error({ err: error, subject: endpoint.subject }, "endpoint subscription failed");
          return;
        }
        const handling = handleTracedMessage(endpoint, message, options).catch((thrown: unknown) => {
          // handleMessage answers every failure itself; this only keeps a bug in it from becoming an
          // unhandled rejection, which would end the whole process and every other caller's request.
          options.logger.error({ err: thrown, subject: endpoint.subject }, "endpoint handling failed");
        });
        inFlight.add(handling);
        void handling.finally(() => inFlight.delete(handling));
      },
    });
  }
  return {
    async stop() {
      await service.stop();
      // Shutdown closes database pools next: let running handlers finish with them first.
      await Promise.allSettled([...inFlight]);
    },
  };
}

function handleTracedMessage(endpoint: EndpointDefinition, message: ServiceMsg, options: ServeEndpointsOptions): Promise<unknown> {
  // Off, nothing at all: no header is parsed, no span started, no extra promise on the request path.
  return isTracing() ? handleInServerSpan(endpoint, message, options) : handleMessage(endpoint, message, options);
}

/** Handles the request in a SERVER span, child of the caller's context from the message's headers. */
async function handleInServerSpan(endpoint: EndpointDefinition, message: ServiceMsg, options: ServeEndpointsOptions): Promise<void> {
  const parent = extractTraceContext(message.headers);
  const span = startMessagingSpan({
    kind: SpanKind.SERVER,
    operationType: messagingOperationTypes.process,
    operationName: "process",
    subject: endpoint.subject,
    consumerGroup: options.queue,
    parent,
  });
  try {
    const answered = await runInSpan(span, () => handleMessage(endpoint, message, options), parent);
    if (answered !== null && answered.status >= 500) markSpanFailed(span, answered.code);
  } finally {
    span.end();
  }
}

/** Handles one request and answers it; resolves with the error it answered, or null. */
async function handleMessage(endpoint: EndpointDefinition, message: ServiceMsg, options: ServeEndpointsOptions): Promise<GatewayError | null> {
  const { logger, dependency } = options;
  try {
    let payload: unknown;
    try {
      payload = message.json();
    } catch {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "Request is not valid JSON"));
    }
    const parsed = endpoint.requestSchema.safeParse(payload);
    if (!parsed.success) throw new SwitchboardError(invalidRequestError(parsed.error));
    const reply = await endpoint.handler(parsed.data, { message });
    if (!endpoint.answersItself) message.respond(JSON.stringify(reply));
    return null;
  } catch (thrown) {
    if (dependency?.isUnavailable(thrown)) {
      logger.warn({ subject: endpoint.subject, dependency: dependency.name, reason: thrown instanceof Error ? thrown.message : String(thrown) }, "dependency unavailable");
      const outage = `The ${options.name} service cannot reach its ${dependency.name} right now. Retry shortly.`;
      const error = gatewayError(gatewayErrorCodes.serviceUnavailable, 503, outage, { retryable: true });
      answerError(endpoint, message, error, logger);
      return error;
    }
    const error = toGatewayError(thrown);
    if (error.status >= 500) logger.error({ err: thrown, subject: endpoint.subject }, "endpoint failed");
    answerError(endpoint, message, error, logger);
    return error;
  }
}

/** The last resort when even an error cannot be sent as built: no detail, nothing from the request. */
const unanswerableError: GatewayError = gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true });

/**
 * Answers with the error; if that throws (a header the client refuses, a body over max_payload, a closed
 * connection), answers the minimal internal error instead; if even that fails, logs and drops, so the
 * caller times out with a 503 rather than the service dying.
 */
function answerError(endpoint: EndpointDefinition, message: ServiceMsg, error: GatewayError, logger: Logger): void {
  try {
    respondWithError(message, error);
    return;
  } catch (thrown) {
    logger.error({ err: thrown, subject: endpoint.subject, code: error.code, status: error.status }, "could not send an error reply; sending a minimal one");
  }
  try {
    respondWithError(message, unanswerableError);
  } catch (thrown) {
    logger.error({ err: thrown, subject: endpoint.subject }, "could not send any error reply; the caller will time out");
  }
}
