import { getNumberFromEnv } from "@opentelemetry/core";

/** The batch limits of `OTEL_BSP_*` (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#batch-span-processor). */
export interface SpanBatchLimits {
  /** Most spans waiting to be sent; more are dropped (`OTEL_BSP_MAX_QUEUE_SIZE`, 2048). */
  maxQueueSize: number;
  /** A batch this big goes out at once (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, 512). */
  maxExportBatchSize: number;
  /** Longest a span waits for its batch to fill (`OTEL_BSP_SCHEDULE_DELAY`, 5000 ms). */
  scheduleDelayMs: number;
}

export function spanBatchLimitsFromEnvironment(): SpanBatchLimits {
  const maxQueueSize = getNumberFromEnv("OTEL_BSP_MAX_QUEUE_SIZE") ?? 2048;
  return {
    maxQueueSize,
    maxExportBatchSize: Math.min(getNumberFromEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") ?? 512, maxQueueSize),
    scheduleDelayMs: getNumberFromEnv("OTEL_BSP_SCHEDULE_DELAY") ?? 5_000,
  };
}
