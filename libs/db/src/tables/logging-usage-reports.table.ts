import type { ColumnType, Selectable } from "kysely";

/**
 * Written only by metadata-logging: the connector's usage reports (issue 10), one per generation, recorded
 * as the generation's row once their grace period is over and no completion fact recorded it.
 */
export interface LoggingUsageReportsTable {
  generation_id: string;
  /** The ConnectorUsageReport as received. */
  report: ColumnType<unknown, string, string>;
  received_at: ColumnType<Date, Date | undefined, never>;
  resolved_at: Date | null;
  recorded: boolean | null;
}
export type LoggingUsageReportRow = Selectable<LoggingUsageReportsTable>;
