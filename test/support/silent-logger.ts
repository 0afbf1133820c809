import { createLogger, type Logger } from "@switchboard/telemetry";

/** A logger for in-process services under test; LOG_LEVEL=debug shows their output. */
export function testLogger(service: string): Logger {
  return createLogger(service, process.env["TEST_LOG_LEVEL"] ?? "silent");
}
