import { createInbox, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { inboxPrefixOf } from "@switchboard/messaging";

/** What the inbox hands each message to: one attempt's reader. */
export interface InboxRecipient {
  /** One message on the attempt's subject, unparsed: the recipient parses it, once. */
  receive(message: Msg): void;
  /** The shared subscription failed: no message for this attempt will arrive any more. */
  fail(error: Error): void;
}

/**
 * The one inbox subscription of an ingress process (`_INBOX.<nuid>.*`, the shape nats.js uses for its own
 * muxed requests): every attempt gets a subject under it, and each message is handed, unparsed, to the
 * attempt whose subject it was sent to. One subscription instead of one per attempt spares the server an
 * interest change (SUB and UNSUB) per attempt and the client a subscription object per attempt.
 */
export class PartInbox {
  // Under the connection's own prefix: the only inbox its bus identity may subscribe to.
  private readonly prefix: string;
  private readonly recipients = new Map<string, InboxRecipient>();
  private subscription: Subscription | undefined;
  private counter = 0;

  constructor(private readonly connection: Pick<NatsConnection, "subscribe">) {
    this.prefix = createInbox(inboxPrefixOf(connection));
  }

  /**
   * A fresh subject for one attempt, whose messages go to `recipient` until `close(subject)`. Subjects are
   * never reused in this process, so a late part of an earlier attempt can never reach a later one.
   */
  open(recipient: InboxRecipient): string {
    this.subscription ??= this.subscribe();
    this.counter += 1;
    const subject = `${this.prefix}.${this.counter}`;
    this.recipients.set(subject, recipient);
    return subject;
  }

  close(subject: string): void {
    this.recipients.delete(subject);
  }

  /** Attempts currently registered; for tests and diagnostics. */
  get size(): number {
    return this.recipients.size;
  }

  private subscribe(): Subscription {
    return this.connection.subscribe(`${this.prefix}.*`, {
      callback: (error, message) => {
        if (error) {
          // The subscription itself failed (a permissions change, the connection closing): every attempt
          // loses its parts, and a fresh subscription is made for the next one.
          this.subscription = undefined;
          const recipients = [...this.recipients.values()];
          this.recipients.clear();
          for (const recipient of recipients) recipient.fail(error);
          return;
        }
        // A message for an attempt that already ended (its reader closed) has nobody to go to.
        this.recipients.get(message.subject)?.receive(message);
      },
    });
  }
}
