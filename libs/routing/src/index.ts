export * from "./routing-table.js";
export * from "./select-route.js";
export * from "./compare-endpoints-by-price.js";
