import { databaseSettings, integerSetting, natsSettings } from "@switchboard/config";
import { z } from "zod";

/** The environment billing reads, and nothing else. */
export const billingConfigSchema = z.object({
  ...natsSettings,
  ...databaseSettings,
  /** How long a reservation holds credit before the sweeper releases it (a generation that never reported). */
  RESERVATION_TTL_SECONDS: integerSetting(900, 1),
  /** How often the sweeper looks for expired reservations. */
  SWEEP_INTERVAL_SECONDS: integerSetting(30, 1),
});
export type BillingConfig = z.infer<typeof billingConfigSchema>;

/** The admin CLI only talks to PostgreSQL. */
export const adminConfigSchema = z.object({ ...databaseSettings });
export type AdminConfig = z.infer<typeof adminConfigSchema>;
