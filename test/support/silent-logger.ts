import { createLogger, type Logger } from "@switchboard/telemetry";

/** Every log line written by loggers made with `capture`, for privacy sweeps. */
export interface LogCapture {
  lines: string[];
}

/**
 * A logger for in-process services under test: silent unless TEST_LOG_LEVEL is set, or, with a
 * capture, writing every line at `debug` into memory so a test can search what would have been logged.
 */
export function testLogger(service: string, capture?: LogCapture): Logger {
  if (capture) return createLogger(service, "trace", { write: (line: string) => void capture.lines.push(line) });
  return createLogger(service, process.env["TEST_LOG_LEVEL"] ?? "silent");
}
