/** Why a consumer moved a fact to the dead-letter stream (the `Switchboard-Dead-Letter-Reason` header). */
export const deadLetterReasons = {
  /** The message is not JSON: it would fail on every delivery. */
  notJson: "not-json",
  /** The fact fails its schema, or a check the consumer makes before processing: it would fail on every delivery. */
  invalid: "invalid",
  /** Processing failed on every one of the allowed deliveries, for a reason other than an outage. */
  failedRepeatedly: "failed-repeatedly",
} as const;
export type DeadLetterReason = (typeof deadLetterReasons)[keyof typeof deadLetterReasons];
