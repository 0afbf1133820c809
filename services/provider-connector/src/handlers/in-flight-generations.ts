import { gatewayError, gatewayErrorCodes, SwitchboardError, type GatewayError } from "@switchboard/contracts";

/** Called when a generation's work rejects, which it should never do: it reports failures as parts. */
export type UnexpectedGenerationFailure = (error: unknown, generationId: string) => void;

/** A cancel the client asked for (ingress publishes it when the client disconnects or gives up): final. */
function cancelledByClient(): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.cancelled, 499, "The generation was cancelled"));
}

/** Not the client's doing: the same request may well succeed on another replica, so it is retryable. */
function abortedAtShutdown(): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "The provider connector is shutting down; retry the request", { retryable: true }),
  );
}

/**
 * The generations this replica is running, each with the AbortController of its upstream call, so a
 * cancel message can stop it and shutdown can wait for (or abort) what is left. A generation id may be
 * registered more than once at a time: ingress reuses it for the next candidate as soon as it sees an
 * error part, possibly before the failed attempt has finished its clean-up here.
 */
export class InFlightGenerations {
  readonly #controllers = new Map<string, Set<AbortController>>();
  readonly #running = new Set<Promise<void>>();
  readonly #onUnexpectedFailure: UnexpectedGenerationFailure;

  constructor(onUnexpectedFailure: UnexpectedGenerationFailure) {
    this.#onUnexpectedFailure = onUnexpectedFailure;
  }

  /**
   * Registers the generation at once, so a cancel arriving right after the request finds it, and runs
   * `work` on the next turn of the event loop, so the endpoint handler that took the request returns first.
   */
  start(generationId: string, work: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    let controllers = this.#controllers.get(generationId);
    if (controllers === undefined) {
      controllers = new Set();
      this.#controllers.set(generationId, controllers);
    }
    controllers.add(controller);

    const running: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => work(controller.signal))
      .catch((error: unknown) => this.#onUnexpectedFailure(error, generationId))
      .finally(() => {
        this.#running.delete(running);
        const registered = this.#controllers.get(generationId);
        registered?.delete(controller);
        if (registered?.size === 0) this.#controllers.delete(generationId);
      });
    this.#running.add(running);
  }

  /**
   * The error a generation reports when its signal was aborted: why this registry aborted it (a client's
   * cancel or the connector's shutdown), or a plain cancel for an abort from elsewhere.
   */
  static errorForAbort(signal: AbortSignal): GatewayError {
    return signal.reason instanceof SwitchboardError ? signal.reason.error : cancelledByClient().error;
  }

  /** Aborts every running attempt of the generation as the client asked; false when none runs here (another replica's). */
  cancel(generationId: string): boolean {
    const controllers = this.#controllers.get(generationId);
    if (controllers === undefined) return false;
    for (const controller of controllers) controller.abort(cancelledByClient());
    return true;
  }

  /** Aborts everything still running because the connector stops; the generations report a retryable 503. */
  abortAllForShutdown(): void {
    for (const controllers of this.#controllers.values()) {
      for (const controller of controllers) controller.abort(abortedAtShutdown());
    }
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves true once nothing runs, or false after `timeoutMs` with generations still running. */
  async waitUntilIdle(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      while (this.#running.size > 0) {
        const settled = Promise.allSettled([...this.#running]).then(() => true as const);
        if ((await Promise.race([settled, timedOut])) === false) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
