import type { Logger } from "@switchboard/telemetry";
import type { DatabaseExecutor } from "./repositories/generations.js";
import { pruneUnusedUsageReports, recordDueUsageReports } from "./repositories/logging-usage-reports.js";

/** How long a report that recorded nothing (a completion fact did) is kept. */
const reportRetentionMs = 24 * 3600 * 1000;

/**
 * Every `intervalMs`, records the generations whose usage report's grace period is over and that no
 * completion fact recorded (status `abandoned`). A failed pass is logged and tried again later.
 */
export function startUsageReportRecorder(options: { database: DatabaseExecutor; graceMs: number; intervalMs: number; logger: Logger }): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let recording: Promise<void> = Promise.resolve();
  const batchSize = 500;
  const pass = async (): Promise<void> => {
    try {
      for (;;) {
        const { resolved, recorded, unparsable } = await recordDueUsageReports(options.database, { graceMs: options.graceMs, batchSize });
        for (const generationId of unparsable) {
          options.logger.error({ generation_id: generationId }, "a stored connector usage report no longer parses; marked unparsable and skipped");
        }
        for (const generationId of recorded) {
          options.logger.warn({ generation_id: generationId }, "no completion fact came in time; generation recorded from the connector's usage report");
        }
        if (resolved < batchSize || stopped) break;
      }
      await pruneUnusedUsageReports(options.database, new Date(Date.now() - reportRetentionMs));
    } catch (error) {
      options.logger.error({ err: error }, "recording usage reports failed, will retry at the next interval");
    }
  };
  const run = (): void => {
    recording = pass().finally(() => {
      if (!stopped) timer = setTimeout(run, options.intervalMs);
    });
  };
  timer = setTimeout(run, options.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await recording;
    },
  };
}
