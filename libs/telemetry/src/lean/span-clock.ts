import type { HrTime, TimeInput } from "@opentelemetry/api";
import { millisToHrTime } from "@opentelemetry/core";

/**
 * Span times: the monotonic performance clock, anchored to the wall clock and re-anchored at most once a
 * second, so durations are exact and start times follow NTP's corrections (the SDK anchors per trace).
 */
let offsetMs = Date.now() - performance.now();
let anchoredAt = performance.now();

export function spanTime(input?: TimeInput): HrTime {
  if (input === undefined) {
    const now = performance.now();
    if (now - anchoredAt > 1_000) {
      offsetMs = Date.now() - now;
      anchoredAt = now;
    }
    return millisToHrTime(offsetMs + now);
  }
  if (Array.isArray(input)) return [input[0], input[1]];
  if (input instanceof Date) return millisToHrTime(input.getTime());
  // As the SDK reads a number: below the performance clock's now it is a performance timestamp.
  return millisToHrTime(input < performance.now() ? offsetMs + input : input);
}
