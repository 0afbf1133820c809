import type { DeadLetter } from "@switchboard/messaging";

/** Lists the newest dead letters (facts no consumer could process), newest first. */
export interface DeadLetterLister {
  list(limit: number): Promise<DeadLetter[]>;
}
