export * from "./load-config.js";
export * from "./common-settings.js";
