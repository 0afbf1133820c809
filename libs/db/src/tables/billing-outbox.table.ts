import type { ColumnType, Generated, Selectable } from "kysely";

export const billingOutboxTopics = { billingSettled: "billing-settled", keyChanged: "key-changed" } as const;
export type BillingOutboxTopic = (typeof billingOutboxTopics)[keyof typeof billingOutboxTopics];

/**
 * Facts billing publishes after a commit, written in the change's transaction; the relay publishes each
 * (message id = the row's id) and sets `published_at`. Written only by billing.
 */
export interface BillingOutboxTable {
  /** bigserial, read as a number like every int8 (create-database.ts). */
  id: Generated<number>;
  topic: BillingOutboxTopic;
  /** jsonb: the fact, as its contract's schema parses it. */
  payload: ColumnType<unknown, string, never>;
  created_at: ColumnType<Date, never, never>;
  published_at: ColumnType<Date | null, never, Date>;
}
export type BillingOutboxRow = Selectable<BillingOutboxTable>;
