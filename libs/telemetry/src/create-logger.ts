import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * The structured JSON logger every service uses. Log call sites pass identifiers and numbers, never
 * request bodies: the redact list is a second line of defence for fields that must never be written.
 */
export function createLogger(service: string, level: string = "info", destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    redact: {
      paths: ["authorization", "*.authorization", "headers.authorization", "*.headers.authorization", "key", "*.key", "apiKey", "*.apiKey", "messages", "*.messages", "body", "*.body"],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
