export * from "./connect-nats.js";
export * from "./wire-error.js";
export * from "./serve-endpoints.js";
export * from "./request-reply.js";
export * from "./ensure-facts-stream.js";
export * from "./publish-fact.js";
export * from "./consume-facts.js";
export * from "./shut-down-on-signals.js";
