import { databaseSettings, natsSettings } from "@switchboard/config";
import { z } from "zod";

/** The router's environment. Provider key variables are looked up by the names the catalog gives. */
export const routerConfigSchema = z.object({
  ...natsSettings,
  ...databaseSettings,
  SWITCHBOARD_CATALOG: z.string().min(1).default("deploy/catalog/default.yaml"),
});
export type RouterConfig = z.infer<typeof routerConfigSchema>;
