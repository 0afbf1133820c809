import type { Migration } from "kysely";
import * as accountDataPolicy from "./2026-11-30T15-00-account-data-policy.js";
import * as adminAudit from "./2026-11-30T12-30-admin-audit.js";
import * as billingOutbox from "./2026-11-30T19-25-billing-outbox.js";
import * as catalogChanges from "./2026-11-30T15-00-catalog-changes.js";
import * as connectorUsageReports from "./2026-11-30T19-30-connector-usage-reports.js";
import * as creditLeases from "./2026-11-30T09-30-credit-leases.js";
import * as doubleEntryLedger from "./2026-11-30T19-20-double-entry-ledger.js";
import * as endpointPriceSplit from "./2026-11-30T19-40-endpoint-price-split.js";
import * as initialSchema from "./2026-11-25T13-50-initial-schema.js";
import * as keyDeletion from "./2026-11-30T16-30-key-deletion.js";
import * as keyRateLimits from "./2026-11-30T19-10-key-rate-limits.js";
import * as keySpendingLimits from "./2026-11-30T19-00-key-spending-limits.js";
import * as managementKeys from "./2026-11-30T17-00-management-keys.js";
import * as settlementAnomalies from "./2026-11-30T12-00-settlement-anomalies.js";
import * as settlementConflicts from "./2026-11-30T20-00-settlement-conflicts.js";
import * as usageReportAttempts from "./2026-11-30T20-20-usage-report-attempts.js";
import * as leaseConsumedTotal from "./2026-12-01T00-00-lease-consumed-total.js";
import * as generationApiType from "./2026-12-01T03-30-generation-api-type.js";

/**
 * Every migration, keyed by its timestamped name (kysely runs them in name order). Listed explicitly
 * rather than read from a folder so the same code runs from `src/` under tests and `dist/` in production.
 */
export const migrations: Record<string, Migration> = {
  "2026-11-25T13-50-initial-schema": initialSchema,
  "2026-11-30T09-30-credit-leases": creditLeases,
  "2026-11-30T12-00-settlement-anomalies": settlementAnomalies,
  "2026-11-30T12-30-admin-audit": adminAudit,
  "2026-11-30T15-00-account-data-policy": accountDataPolicy,
  "2026-11-30T15-00-catalog-changes": catalogChanges,
  "2026-11-30T16-30-key-deletion": keyDeletion,
  "2026-11-30T17-00-management-keys": managementKeys,
  "2026-11-30T19-00-key-spending-limits": keySpendingLimits,
  "2026-11-30T19-10-key-rate-limits": keyRateLimits,
  "2026-11-30T19-20-double-entry-ledger": doubleEntryLedger,
  "2026-11-30T19-25-billing-outbox": billingOutbox,
  "2026-11-30T19-30-connector-usage-reports": connectorUsageReports,
  "2026-11-30T19-40-endpoint-price-split": endpointPriceSplit,
  "2026-11-30T20-00-settlement-conflicts": settlementConflicts,
  "2026-11-30T20-20-usage-report-attempts": usageReportAttempts,
  "2026-12-01T00-00-lease-consumed-total": leaseConsumedTotal,
  "2026-12-01T03-30-generation-api-type": generationApiType,
};
