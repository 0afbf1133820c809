import { pino, type DestinationStream, type Logger } from "pino";
import { activeSpanLogFields } from "./active-span-log-fields.js";

export type { Logger } from "pino";

/**
 * The structured JSON logger every service uses. Log call sites pass identifiers and numbers, never
 * request bodies: the redact list is a second line of defence for fields that must never be written.
 * Every line names its `service` and, when tracing is on and a span is active (a request being handled,
 * a fact being processed), that span's `trace_id` and `span_id`; a line about one generation names it as
 * `generation_id`.
 */
export function createLogger(service: string, level: string = "info", destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    mixin: activeSpanLogFields,
    redact: {
      paths: ["authorization", "*.authorization", "headers.authorization", "*.headers.authorization", "key", "*.key", "apiKey", "*.apiKey", "messages", "*.messages", "body", "*.body"],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
