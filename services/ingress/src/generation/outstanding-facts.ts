import { maximumOutstandingFactsListed, type StoredFacts } from "@switchboard/contracts";

/**
 * This replica's generations whose completion fact is not yet stored, by sequence number (issue 10). A
 * generation takes its number before its first attempt goes to a connector and gives it back once
 * JetStream acknowledged its fact; the heartbeat tells the connectors (`describe`), which then drop their
 * held usage reports of every number given back instead of publishing them durably. A number never given
 * back (a bug's path) costs only that: its report is published, as it always was before.
 */
export class OutstandingFacts {
  #next = 0;
  // Numbers are added in increasing order and never again, so the set iterates in ascending order.
  readonly #outstanding = new Set<number>();

  /** The next generation's number, outstanding until `close`. */
  open(): number {
    const sequence = this.#next++;
    this.#outstanding.add(sequence);
    return sequence;
  }

  /** The generation's fact is stored (or will never be: see Generation.publishFact). */
  close(sequence: number): void {
    this.#outstanding.delete(sequence);
  }

  get size(): number {
    return this.#outstanding.size;
  }

  /** For the heartbeat: O(outstanding), once a second. */
  describe(): StoredFacts {
    if (this.#outstanding.size <= maximumOutstandingFactsListed) return { issuedThrough: this.#next - 1, outstanding: [...this.#outstanding] };
    const outstanding: number[] = [];
    for (const sequence of this.#outstanding) {
      outstanding.push(sequence);
      if (outstanding.length === maximumOutstandingFactsListed) break;
    }
    // Nothing above the last one listed is vouched for: those reports stay held (or are published).
    return { issuedThrough: outstanding[outstanding.length - 1] ?? this.#next - 1, outstanding };
  }
}
