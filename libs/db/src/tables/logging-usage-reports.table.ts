import type { ColumnType, Selectable } from "kysely";

/**
 * Written only by metadata-logging: the connector's usage reports (issue 10), one per generation (its
 * highest attempt's), recorded as the generation's row once their grace period is over and no completion
 * fact recorded it.
 */
export interface LoggingUsageReportsTable {
  generation_id: string;
  attempt: ColumnType<number, number | undefined, number>;
  /** The ConnectorUsageReport as received. */
  report: ColumnType<unknown, string, string>;
  received_at: ColumnType<Date, Date | undefined, never>;
  resolved_at: Date | null;
  recorded: boolean | null;
  /** Set when the stored report no longer parses: resolved without recording, kept for operators. */
  unparsable: ColumnType<boolean, boolean | undefined, boolean>;
}
export type LoggingUsageReportRow = Selectable<LoggingUsageReportsTable>;
