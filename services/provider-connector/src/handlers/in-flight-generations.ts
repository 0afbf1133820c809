/** Called when a generation's work rejects, which it should never do: it reports failures as parts. */
export type UnexpectedGenerationFailure = (error: unknown, generationId: string) => void;

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
   * `work` on the next turn of the event loop, so the `accepted` reply goes out before the first part.
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

  /** Aborts every running attempt of the generation; false when none runs here (another replica's). */
  cancel(generationId: string): boolean {
    const controllers = this.#controllers.get(generationId);
    if (controllers === undefined) return false;
    for (const controller of controllers) controller.abort();
    return true;
  }

  abortAll(): void {
    for (const controllers of this.#controllers.values()) {
      for (const controller of controllers) controller.abort();
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
