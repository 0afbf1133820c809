import { Svcm, type ServiceMsg } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/transport-node";
import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import type { Logger } from "pino";
import type { z } from "zod";
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
}

/** A running set of endpoints. */
export interface ServedEndpoints {
  /** Stops taking requests, then waits for the handlers already running to answer. */
  stop(): Promise<void>;
}

/**
 * Registers a NATS micro service (so `$SRV.PING/INFO/STATS` work) whose endpoints parse their request
 * with zod, run an async handler and answer JSON or a GatewayError. Async handler rejections are caught
 * here: the services framework would otherwise leave the caller waiting for its timeout.
 */
export async function serveEndpoints(connection: NatsConnection, options: ServeEndpointsOptions): Promise<ServedEndpoints> {
  const inFlight = new Set<Promise<void>>();
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
        const handling = handleMessage(endpoint, message, options.logger);
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

async function handleMessage(endpoint: EndpointDefinition, message: ServiceMsg, logger: Logger): Promise<void> {
  try {
    let payload: unknown;
    try {
      payload = message.json();
    } catch {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "Request is not valid JSON"));
    }
    const parsed = endpoint.requestSchema.safeParse(payload);
    if (!parsed.success) {
      throw new SwitchboardError(
        gatewayError(gatewayErrorCodes.invalidRequest, 400, `Invalid request: ${parsed.error.issues[0]?.message ?? "bad shape"}`, {
          metadata: { issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })) },
        }),
      );
    }
    const reply = await endpoint.handler(parsed.data, { message });
    message.respond(JSON.stringify(reply));
  } catch (thrown) {
    const error = toGatewayError(thrown);
    if (error.status >= 500) logger.error({ err: thrown, subject: endpoint.subject }, "endpoint failed");
    respondWithError(message, error);
  }
}
