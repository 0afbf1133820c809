import type { AdminAuditTable } from "./tables/admin-audit.table.js";
import type { BillingOutboxTable } from "./tables/billing-outbox.table.js";
import type { AccountsTable, ApiKeysTable, CreditLeasesTable, LedgerEntriesTable, LedgerTransactionsTable, ReservationsTable } from "./tables/billing.table.js";
import type { CatalogChangesTable } from "./tables/catalog-changes.table.js";
import type { EndpointsTable, ModelsTable, ProvidersTable } from "./tables/catalog.table.js";
import type { ConnectorUsageReportsTable } from "./tables/connector-usage-reports.table.js";
import type { GenerationsTable } from "./tables/generations.table.js";
import type { LoggingUsageReportsTable } from "./tables/logging-usage-reports.table.js";
import type { SettlementAnomaliesTable } from "./tables/settlement-anomalies.table.js";

/** Every table, by name. Each has exactly one writing service (see DESIGN.md). */
export interface Database {
  providers: ProvidersTable;
  models: ModelsTable;
  endpoints: EndpointsTable;
  catalog_changes: CatalogChangesTable;
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  reservations: ReservationsTable;
  credit_leases: CreditLeasesTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  settlement_anomalies: SettlementAnomaliesTable;
  admin_audit: AdminAuditTable;
  billing_outbox: BillingOutboxTable;
  generations: GenerationsTable;
  connector_usage_reports: ConnectorUsageReportsTable;
  logging_usage_reports: LoggingUsageReportsTable;
}
