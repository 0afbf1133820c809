import { databaseSettings, integerSetting, natsSettings, operationsSettings } from "@switchboard/config";
import { z } from "zod";

/** The environment metadata-logging reads, and nothing else. */
export const metadataLoggingConfigSchema = z.object({
  ...natsSettings,
  ...databaseSettings,
  ...operationsSettings,
  /** How long to wait for ingress's completion fact before recording a generation from the connector's usage report (issue 10). */
  USAGE_REPORT_GRACE_SECONDS: integerSetting(30, 1),
});
export type MetadataLoggingConfig = z.infer<typeof metadataLoggingConfigSchema>;
