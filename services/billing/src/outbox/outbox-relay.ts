import type { Subjects } from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import type { Logger } from "@switchboard/telemetry";
import type { Kysely } from "kysely";
import { pruneOutbox, relayOutbox, type OutboxPublish } from "./relay-outbox.js";

/** Published rows are kept this long (for investigation; the stream keeps the facts 7 days), pruned once a minute. */
const publishedRetentionMs = 24 * 3600 * 1000;
const pruneIntervalMs = 60 * 1000;

export interface OutboxRelay {
  /** Stops scheduling and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `relayOutbox` at start and then every `intervalMs`, at once again while a pass filled its batch;
 * once a minute, also prunes rows published more than a day ago.
 * A failed pass (NATS or the stream unavailable, the database down) is logged and retried at the next
 * interval: the facts wait in the outbox, never lost, however long the outage.
 */
export function startOutboxRelay(options: {
  database: Kysely<Database>;
  subjects: Subjects;
  publish: OutboxPublish;
  logger: Logger;
  intervalMs: number;
  batchSize?: number;
}): OutboxRelay {
  const batchSize = options.batchSize ?? 200;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let relaying: Promise<boolean> = Promise.resolve(false);
  let failing = false;
  let prunedAt = 0;

  /** True when there may be more to publish right away. */
  const pass = async (): Promise<boolean> => {
    try {
      const result = await relayOutbox(options.database, { subjects: options.subjects, publish: options.publish, batchSize });
      if (result.failed > 0) {
        if (!failing) options.logger.error({ err: result.firstError, failed: result.failed }, "could not publish billing facts from the outbox; they wait there and are retried");
        failing = true;
        return false;
      }
      if (failing && result.published > 0) options.logger.info({ published: result.published }, "publishing billing facts from the outbox again");
      failing = false;
      if (Date.now() - prunedAt >= pruneIntervalMs) {
        prunedAt = Date.now();
        await pruneOutbox(options.database, { keepMs: publishedRetentionMs });
      }
      return result.published === batchSize;
    } catch (error) {
      options.logger.error({ err: error }, "outbox relay pass failed, will retry at the next interval");
      return false;
    }
  };
  const run = (): void => {
    relaying = pass();
    void relaying.then((more) => {
      if (!stopped) timer = setTimeout(run, more ? 0 : options.intervalMs);
    });
  };
  run();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await relaying;
    },
  };
}
