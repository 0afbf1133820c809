/** Things to stop, in reverse order of starting: services before NATS, NATS before PostgreSQL. */
export interface ResourceStack {
  push(name: string, stop: () => Promise<unknown>): void;
  readonly size: number;
  /**
   * Stops everything, last pushed first. A failure, or a stop that takes longer than `timeoutMs`, is
   * reported and the rest still stop: a shutdown must always come to an end.
   */
  stopAll(onError: (name: string, error: unknown) => void, timeoutMs?: number): Promise<void>;
}

export function createResourceStack(): ResourceStack {
  const resources: { name: string; stop: () => Promise<unknown> }[] = [];
  return {
    push(name, stop) {
      resources.push({ name, stop });
    },
    get size() {
      return resources.length;
    },
    async stopAll(onError, timeoutMs = 30_000) {
      for (let resource = resources.pop(); resource !== undefined; resource = resources.pop()) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`did not stop within ${timeoutMs / 1000} s`)), timeoutMs);
        });
        try {
          await Promise.race([resource.stop(), timeout]);
        } catch (error) {
          onError(resource.name, error);
        } finally {
          clearTimeout(timer);
        }
      }
    },
  };
}
