import { ledgerMetrics, type Logger } from "@switchboard/telemetry";
import type { DatabaseExecutor } from "./repositories/database-executor.js";
import { expireLeases } from "./repositories/credit-leases.js";
import { expirePendingReservations } from "./repositories/reservations.js";

export interface ExpirySweeper {
  /** Stops scheduling and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Releases abandoned reservations (the generation never reported) and expired credit leases (their
 * ingress died or lost billing) once at start and then every
 * `intervalMs`. A failed sweep is logged and tried again at the next interval; it never stops the loop.
 */
export function startExpirySweeper(options: { database: DatabaseExecutor; intervalMs: number; logger: Logger }): ExpirySweeper {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();

  const sweep = async (): Promise<void> => {
    try {
      const now = new Date();
      const expired = await expirePendingReservations(options.database, now);
      ledgerMetrics().reservationsExpired(expired);
      if (expired > 0) options.logger.info({ expired }, "released expired reservations");
      const expiredLeases = await expireLeases(options.database, now);
      if (expiredLeases > 0) options.logger.info({ expired_leases: expiredLeases }, "released expired credit leases");
    } catch (error) {
      options.logger.error({ err: error }, "expiry sweep failed, will retry at the next interval");
    }
  };
  const run = (): void => {
    sweeping = sweep().finally(() => {
      if (!stopped) timer = setTimeout(run, options.intervalMs);
    });
  };
  run();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await sweeping;
    },
  };
}
