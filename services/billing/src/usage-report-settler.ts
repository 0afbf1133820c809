import type { Logger } from "@switchboard/telemetry";
import { pruneConfirmingUsageReports, settleDueUsageReports, unparsableReportOutcome } from "./repositories/connector-usage-reports.js";
import type { DatabaseExecutor } from "./repositories/database-executor.js";
import { settleOutcomes } from "./repositories/settle-generations.js";
import type { SettlementAnomalyCounter } from "./settlement-anomaly-counter.js";

/** How long a report that only confirmed a completion fact is kept. */
const reportRetentionMs = 24 * 3600 * 1000;

export interface UsageReportSettler {
  /** Stops scheduling and waits for a pass in progress. */
  stop(): Promise<void>;
  /** How many stored reports this process found unparsable (marked, skipped) since it started. */
  unparsableReports(): number;
}

/**
 * Every `intervalMs`, settles the connector usage reports whose grace period is over (issue 10): a
 * generation no completion fact settled by then (its ingress died after answering) is charged from the
 * report, once. Passes run until no due report is left; a failed pass is logged and tried again later.
 */
export function startUsageReportSettler(options: {
  database: DatabaseExecutor;
  graceMs: number;
  intervalMs: number;
  logger: Logger;
  anomalies: SettlementAnomalyCounter;
}): UsageReportSettler {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let settling: Promise<void> = Promise.resolve();
  const batchSize = 500;
  let unparsableReports = 0;

  const pass = async (): Promise<void> => {
    try {
      for (;;) {
        const settlements = await settleDueUsageReports(options.database, { graceMs: options.graceMs, batchSize });
        for (const settlement of settlements) {
          const context = { generation_id: settlement.generationId, cost_micros: settlement.costMicros, outcome: settlement.outcome };
          if (settlement.outcome === unparsableReportOutcome) {
            unparsableReports++;
            options.logger.error(context, "a stored connector usage report no longer parses; marked unparsable and skipped, nothing charged");
            continue;
          }
          if (settlement.outcome !== settleOutcomes.alreadyResolved) {
            options.logger.warn({ ...context, charged: settlement.charged }, "no completion fact came in time; generation settled from the connector's usage report");
          }
          if (settlement.conflictingCostMicros !== null) {
            options.logger.info({ ...context, fact_cost_micros: settlement.conflictingCostMicros }, "connector usage report and completion fact disagree; the first settlement stands");
          }
          if (settlement.anomaly?.recorded) options.anomalies.increment(settlement.anomaly.reason);
        }
        if (settlements.length < batchSize || stopped) break;
      }
      // Reports that only confirmed a completion fact are kept a day, for operators, then deleted.
      await pruneConfirmingUsageReports(options.database, new Date(Date.now() - reportRetentionMs));
    } catch (error) {
      options.logger.error({ err: error }, "usage report settlement failed, will retry at the next interval");
    }
  };
  const run = (): void => {
    settling = pass().finally(() => {
      if (!stopped) timer = setTimeout(run, options.intervalMs);
    });
  };
  timer = setTimeout(run, options.intervalMs);

  return {
    unparsableReports: () => unparsableReports,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await settling;
    },
  };
}
