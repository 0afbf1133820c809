/**
 * Runs work for the same key one after another, in this process; work for different keys runs at once.
 * A burst of reservations for one limited key would otherwise take one pooled connection each, all but one
 * waiting on the key's row lock, and starve every other account's reservations and settlements of
 * connections. PostgreSQL's lock still orders them across billing replicas; this only keeps the wait in
 * memory.
 */
export class TurnsByKey {
  private readonly last = new Map<string, Promise<unknown>>();

  run<Result>(key: string, work: () => Promise<Result>): Promise<Result> {
    const previous = this.last.get(key) ?? Promise.resolve();
    const turn = previous.then(work, work);
    // What the next caller waits for: this turn's end, whatever its outcome.
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.last.set(key, settled);
    void settled.then(() => {
      if (this.last.get(key) === settled) this.last.delete(key);
    });
    return turn;
  }
}
