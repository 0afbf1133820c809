import { errors, type NatsConnection } from "@nats-io/transport-node";

/** What a test tries on the bus as one identity: publish to a subject or subscribe to it. */
export interface BusAttempt {
  operation: "publish" | "subscribe";
  subject: string;
  /** What a publish carries (as JSON); `{}` unless given. The server refuses by subject, whatever it is. */
  payload?: unknown;
}

/**
 * Makes `attempt` on `connection` and resolves with whether the server refused it: a refused publish or
 * subscription comes back as a `Permissions Violation` error on the connection's status stream.
 * An allowed attempt is known once a round trip (flush) passes without one.
 */
export async function isRefused(connection: NatsConnection, attempt: BusAttempt): Promise<boolean> {
  const refused = new Promise<boolean>((resolve) => {
    void (async () => {
      for await (const status of connection.status()) {
        const error = status.type === "error" ? status.error : undefined;
        if (error instanceof errors.PermissionViolationError && error.subject === attempt.subject) {
          resolve(true);
          return;
        }
      }
    })();
  });
  if (attempt.operation === "publish") {
    connection.publish(attempt.subject, JSON.stringify(attempt.payload ?? {}));
  } else {
    connection.subscribe(attempt.subject, { callback: () => undefined });
  }
  await connection.flush();
  // The -ERR for a refused operation arrives before the PONG of the flush that follows it.
  return Promise.race([refused, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200))]);
}
