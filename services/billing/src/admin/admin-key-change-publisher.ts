import type { NatsConnection } from "@nats-io/transport-node";
import { keyChanges, keyChangedSchema, type KeyChanged, type Subjects } from "@switchboard/contracts";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";

export interface AdminKeyChangePublisherOptions {
  /** Opens a NATS connection; called on the first change only, since most commands change no key. */
  connect: () => Promise<NatsConnection>;
  subjects: Pick<Subjects, "keyChanged">;
  /** Receives what the operator must know when an announcement could not be sent. */
  warn: (text: string) => void;
  /** How long to wait for the server to confirm it has the announcement. */
  timeoutMs?: number;
}

/**
 * The admin CLI's publisher. The CLI is a short-lived process, so unlike the service's publisher it
 * waits until the NATS server confirms it has each announcement (a flush), and when that fails it tells
 * the operator that running ingresses keep the old key data and how to apply the change now.
 */
export class AdminKeyChangePublisher implements KeyChangePublisher {
  private connection: Promise<NatsConnection> | undefined;

  constructor(private readonly options: AdminKeyChangePublisherOptions) {}

  async publish(change: KeyChanged): Promise<void> {
    try {
      this.connection ??= this.options.connect();
      const connection = await this.connection;
      connection.publish(this.options.subjects.keyChanged, JSON.stringify(keyChangedSchema.parse(change)));
      await withTimeout(connection.flush(), this.options.timeoutMs ?? 2_000);
    } catch (error) {
      // No ingress holds anything about a key that did not exist (at most a refusal for a few seconds).
      if (change.change === keyChanges.created) return;
      this.options.warn(describeUndelivered(change, error));
    }
  }

  /** Closes the NATS connection if one was opened. */
  async close(): Promise<void> {
    const connection = await this.connection?.catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }
}

function describeUndelivered(change: KeyChanged, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return [
    `Warning: key ${change.keyHash} is ${change.change} in the database, but the change could not be announced on NATS (${reason}).`,
    "Running ingresses keep using the key's old data until their key cache expires (KEY_CACHE_TTL_MS, 10 minutes by default).",
    "To apply it now, run the same command again once NATS is reachable (with the NATS_URL and SWITCHBOARD_NATS_NAMESPACE the services use), or restart the ingresses.",
  ].join("\n");
}

function withTimeout(work: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the server did not confirm within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
}
