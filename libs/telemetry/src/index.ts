export * from "./create-logger.js";
export * from "./active-span-log-fields.js";
export * from "./semconv.js";
export * from "./tracer.js";
export * from "./tracing-settings.js";
export * from "./running-tracing.js";
export * from "./run-in-span.js";
export * from "./mark-span-failed.js";
