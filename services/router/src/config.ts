import { databaseSettings, integerSetting, natsSettings, operationsSettings } from "@switchboard/config";
import { defaultHealthPolicy } from "./health/endpoint-health-tracker.js";
import { defaultHealthFiguresIntervalMs } from "./health/health-publisher.js";
import { z } from "zod";

/** The router's environment. Provider key variables are looked up by the names the catalog gives. */
export const routerConfigSchema = z.object({
  ...natsSettings,
  ...databaseSettings,
  ...operationsSettings,
  SWITCHBOARD_CATALOG: z.string().min(1).default("deploy/catalog/default.yaml"),
  /** Provider failures in a row (429, 5xx, timeout, connect error) that eject an endpoint. */
  ROUTER_FAILURES_TO_EJECT: integerSetting(defaultHealthPolicy.consecutiveFailuresToEject, 1),
  /** How long a first ejection lasts; each further one in a row doubles it, up to ROUTER_MAXIMUM_EJECTION_MS. */
  ROUTER_FIRST_EJECTION_MS: integerSetting(defaultHealthPolicy.firstEjection, 1),
  ROUTER_MAXIMUM_EJECTION_MS: integerSetting(defaultHealthPolicy.maximumEjection, 1),
  /** Health figures (uptime, medians) are republished at most this often when no status changed. */
  ROUTER_HEALTH_FIGURES_MS: integerSetting(defaultHealthFiguresIntervalMs, 100),
});
export type RouterConfig = z.infer<typeof routerConfigSchema>;
