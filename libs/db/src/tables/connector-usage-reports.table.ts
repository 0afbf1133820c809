import type { ColumnType, Selectable } from "kysely";

/**
 * Written only by billing: the connector's usage reports (issue 10), one per generation (its highest attempt's), settled from once
 * their grace period is over and no completion fact settled the generation.
 */
export interface ConnectorUsageReportsTable {
  generation_id: string;
  attempt: number;
  account_id: string;
  key_id: string;
  lease_id: string | null;
  /** The ConnectorUsageReport as received. */
  report: ColumnType<unknown, string, string>;
  cost_micros: number;
  received_at: ColumnType<Date, Date | undefined, never>;
  resolved_at: Date | null;
  outcome: string | null;
  conflicting_cost_micros: number | null;
}
export type ConnectorUsageReportRow = Selectable<ConnectorUsageReportsTable>;
