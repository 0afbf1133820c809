import type { NatsConnection } from "@nats-io/transport-node";
import { gatewayError, gatewayErrorCodes, SwitchboardError, type Subjects } from "@switchboard/contracts";
import { ConnectionState, requestReply, type FactPublisher } from "@switchboard/messaging";
import type { z } from "zod";
import { PartInbox } from "../generation/part-inbox.js";

/** How ingress reaches the other services: typed NATS requests with a bounded timeout. */
export interface ServiceClients {
  connection: NatsConnection;
  /** Whether NATS is connected right now; requests fail fast while it is not. */
  state: ConnectionState;
  subjects: Subjects;
  publisher: FactPublisher;
  /** The process's one inbox subscription, under which every generation attempt gets its subject. */
  inbox: PartInbox;
  /** How long a request may wait for its answer; also how long a connector has to take a generation. */
  requestTimeoutMs: number;
  request<Schema extends z.ZodType>(subject: string, payload: unknown, replySchema: Schema, serviceLabel: string): Promise<z.infer<Schema>>;
}

/** The answer while NATS is known to be down: a request would only wait for its timeout. */
export function busUnavailableError(): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "Switchboard cannot reach its message bus (NATS) right now. Retry shortly.", { retryable: true }),
  );
}

export function createServiceClients(connection: NatsConnection, subjects: Subjects, publisher: FactPublisher, timeoutMs: number): ServiceClients {
  const state = new ConnectionState(connection);
  return {
    connection,
    state,
    subjects,
    publisher,
    inbox: new PartInbox(connection),
    requestTimeoutMs: timeoutMs,
    request: (subject, payload, replySchema, serviceLabel) => {
      if (!state.connected) return Promise.reject(busUnavailableError());
      return requestReply(connection, subject, payload, replySchema, { timeoutMs, serviceLabel });
    },
  };
}
