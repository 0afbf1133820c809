/**
 * The headers a dead letter carries: where the fact came from and why it could not be processed. The
 * body is the fact's bytes, unchanged; nothing here repeats a value from it, since a fact can hold data
 * that belongs to a customer.
 */
export const deadLetterHeaders = {
  originalSubject: "Switchboard-Dead-Letter-Subject",
  originalStream: "Switchboard-Dead-Letter-Stream",
  originalSequence: "Switchboard-Dead-Letter-Sequence",
  consumer: "Switchboard-Dead-Letter-Consumer",
  deliveries: "Switchboard-Dead-Letter-Deliveries",
  /** A `DeadLetterReason`. */
  reason: "Switchboard-Dead-Letter-Reason",
  /** What failed, without values: validation issues as paths and messages, or the last error's name and code. */
  detail: "Switchboard-Dead-Letter-Detail",
} as const;
