import { databaseSettings, integerSetting, natsSecuritySettings, natsSettings, operationsSettings } from "@switchboard/config";
import { z } from "zod";

/** The environment billing reads, and nothing else. */
export const billingConfigSchema = z.object({
  ...natsSettings,
  ...databaseSettings,
  ...operationsSettings,
  /** How long a reservation holds credit before the sweeper releases it (a generation that never reported). */
  RESERVATION_TTL_SECONDS: integerSetting(900, 1),
  /**
   * How long a credit lease (a slice of an account's credit held by one ingress replica) lasts; ingress
   * takes a new lease well before, and what a dead replica held comes back after it. Keep it above ingress's
   * GENERATION_MAX_DURATION_MS: ingress uses a lease only while a generation started now would end before it.
   */
  CREDIT_LEASE_TTL_SECONDS: integerSetting(900, 1),
  /** How often the sweeper looks for expired reservations and leases. */
  SWEEP_INTERVAL_SECONDS: integerSetting(30, 1),
  /**
   * How long billing waits for ingress's completion fact before charging a generation from the provider
   * connector's usage report (issue 10: ingress died after answering). Keep it well below
   * RESERVATION_TTL_SECONDS and CREDIT_LEASE_TTL_SECONDS, so the hold is still there to charge.
   */
  USAGE_REPORT_GRACE_SECONDS: integerSetting(30, 1),
});
export type BillingConfig = z.infer<typeof billingConfigSchema>;

/**
 * The admin CLI writes to PostgreSQL, and announces key changes on NATS so running ingresses apply them
 * at once (it connects only when a command changed a key).
 */
export const adminConfigSchema = z.object({
  ...databaseSettings,
  NATS_URL: natsSettings.NATS_URL,
  SWITCHBOARD_NATS_NAMESPACE: natsSettings.SWITCHBOARD_NATS_NAMESPACE,
  ...natsSecuritySettings,
});
export type AdminConfig = z.infer<typeof adminConfigSchema>;
