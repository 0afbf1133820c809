import { databaseSettings, natsSettings } from "@switchboard/config";
import { z } from "zod";

/** The environment metadata-logging reads, and nothing else. */
export const metadataLoggingConfigSchema = z.object({ ...natsSettings, ...databaseSettings });
export type MetadataLoggingConfig = z.infer<typeof metadataLoggingConfigSchema>;
