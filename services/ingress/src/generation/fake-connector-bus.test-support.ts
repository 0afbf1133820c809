import { headers as natsHeaders, type Msg, type MsgCallback, type NatsConnection, type PublishOptions, type Subscription } from "@nats-io/transport-node";
import { createSubjects, type GatewayError } from "@switchboard/contracts";
import type { ServiceClients } from "../plugins/service-clients.js";
import { PartInbox } from "./part-inbox.js";

/** One message ingress published. */
export interface PublishedMessage {
  subject: string;
  payload: string;
  reply: string | undefined;
}

/**
 * The NATS side of an attempt without a server, for unit tests: records what ingress publishes and
 * delivers what a test makes the connector (or NATS) send to an inbox subject. Not a test itself.
 */
export class FakeConnectorBus {
  readonly subjects = createSubjects("unit");
  readonly published: PublishedMessage[] = [];
  subscriptions = 0;
  /** Called for each publish, so a test can play the connector. */
  onPublish: (message: PublishedMessage) => void = () => undefined;
  private inboxCallback: MsgCallback<Msg> | undefined;

  readonly connection = {
    subscribe: (_subject: string, options: { callback: MsgCallback<Msg> }) => {
      this.subscriptions += 1;
      this.inboxCallback = options.callback;
      return { unsubscribe: () => undefined } as unknown as Subscription;
    },
    publish: (subject: string, payload?: string | Uint8Array, options?: PublishOptions) => {
      const message = { subject, payload: typeof payload === "string" ? payload : "", reply: options?.reply };
      this.published.push(message);
      this.onPublish(message);
    },
  };

  readonly inbox = new PartInbox(this.connection);

  /** Service clients as an attempt uses them; `request` and `publisher` are not used by attempts. */
  clients(options: { connected?: boolean; requestTimeoutMs?: number } = {}): ServiceClients {
    return {
      connection: this.connection as unknown as NatsConnection,
      state: { connected: options.connected ?? true, onReconnect: () => () => undefined },
      subjects: this.subjects,
      inbox: this.inbox,
      requestTimeoutMs: options.requestTimeoutMs ?? 1_000,
    } as unknown as ServiceClients;
  }

  /** Messages published to a subject. */
  publishedTo(subject: string): PublishedMessage[] {
    return this.published.filter((message) => message.subject === subject);
  }

  /** Delivers parts (one object, or an array for a whole answer) to an inbox subject. */
  sendParts(subject: string, parts: object | object[]): void {
    this.deliver(subject, JSON.stringify(parts));
  }

  /** What NATS sends to the reply subject when no connector subscribes. */
  sendNoResponders(subject: string): void {
    this.deliver(subject, "", natsHeaders(503, "No Responders"));
  }

  /** What the services framework sends when the connector refuses the message. */
  sendErrorReply(subject: string, error: GatewayError): void {
    const headers = natsHeaders();
    headers.set("Nats-Service-Error", error.message);
    headers.set("Nats-Service-Error-Code", String(error.status));
    this.deliver(subject, JSON.stringify(error), headers);
  }

  private deliver(subject: string, payload: string, headers?: ReturnType<typeof natsHeaders>): void {
    const data = new TextEncoder().encode(payload);
    const message = { subject, data, headers, json: () => JSON.parse(payload), string: () => payload } as unknown as Msg;
    this.inboxCallback?.(null, message);
  }
}
