export * from "./database.js";
export * from "./create-database.js";
export * from "./migrate-to-latest.js";
export * from "./tables/catalog.table.js";
export * from "./tables/billing.table.js";
export * from "./tables/generations.table.js";
export * from "./tables/settlement-anomalies.table.js";
export * from "./database-unavailable.js";
