import type { NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";
import { requestReply, type FactPublisher } from "@switchboard/messaging";
import type { z } from "zod";

/** How ingress reaches the other services: typed NATS requests with a bounded timeout. */
export interface ServiceClients {
  connection: NatsConnection;
  subjects: Subjects;
  publisher: FactPublisher;
  request<Schema extends z.ZodType>(subject: string, payload: unknown, replySchema: Schema, serviceLabel: string): Promise<z.infer<Schema>>;
}

export function createServiceClients(connection: NatsConnection, subjects: Subjects, publisher: FactPublisher, timeoutMs: number): ServiceClients {
  return {
    connection,
    subjects,
    publisher,
    request: (subject, payload, replySchema, serviceLabel) => requestReply(connection, subject, payload, replySchema, { timeoutMs, serviceLabel }),
  };
}
