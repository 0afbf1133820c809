import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Whether a NATS connection is up right now, from the client's own status events. The client reconnects
 * by itself (connectNats), and meanwhile a request would only wait for its timeout: callers that know the
 * bus is down answer a fast, retryable 503 instead (DESIGN.md failure rules).
 */
export class ConnectionState {
  #connected: boolean;
  readonly #reconnectListeners = new Set<() => void>();

  constructor(connection: NatsConnection) {
    this.#connected = !connection.isClosed();
    void this.#follow(connection);
  }

  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Calls `listener` each time the connection is back (its subscriptions are registered again by then).
   * Returns the function that removes it.
   */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  async #follow(connection: NatsConnection): Promise<void> {
    // A closed connection ends this iterator, and never reconnects.
    void connection.closed().then(() => (this.#connected = false));
    for await (const status of connection.status()) {
      if (status.type === "disconnect") {
        this.#connected = false;
      } else if (status.type === "reconnect") {
        this.#connected = true;
        for (const listener of [...this.#reconnectListeners]) listener();
      }
    }
  }
}
