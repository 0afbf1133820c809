export * from "./routing-table.js";
export * from "./select-route.js";
export * from "./rank-endpoints.js";
export * from "./compare-endpoints-by-price.js";
export * from "./model-variant.js";
export * from "./endpoint-filter.js";
export * from "./price-limit.js";
export * from "./requested-parameters.js";
