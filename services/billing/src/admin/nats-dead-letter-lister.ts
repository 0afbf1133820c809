import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";
import { readDeadLetters, type DeadLetter } from "@switchboard/messaging";
import type { DeadLetterLister } from "./dead-letter-lister.js";

export interface NatsDeadLetterListerOptions {
  /** Opens a NATS connection; called on the first listing only, since most commands do not read NATS. */
  connect: () => Promise<NatsConnection>;
  subjects: Pick<Subjects, "deadLetterStream">;
}

/** The admin CLI's reader of the dead-letter stream, over its own NATS connection (the admin identity). */
export class NatsDeadLetterLister implements DeadLetterLister {
  private connection: Promise<NatsConnection> | undefined;

  constructor(private readonly options: NatsDeadLetterListerOptions) {}

  async list(limit: number): Promise<DeadLetter[]> {
    this.connection ??= this.options.connect();
    const manager = await jetstreamManager(await this.connection, { timeout: 5_000 });
    return readDeadLetters(manager, this.options.subjects, limit);
  }

  /** Closes the NATS connection if one was opened. */
  async close(): Promise<void> {
    const connection = await this.connection?.catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }
}
