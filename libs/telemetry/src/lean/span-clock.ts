import type { HrTime, TimeInput } from "@opentelemetry/api";

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
    return epochMillisecondsToHrTime(offsetMs + now);
  }
  if (Array.isArray(input)) return [input[0], input[1]];
  if (input instanceof Date) return epochMillisecondsToHrTime(input.getTime());
  // As the SDK reads a number: below the performance clock's now it is a performance timestamp.
  return epochMillisecondsToHrTime(input < performance.now() ? offsetMs + input : input);
}

function epochMillisecondsToHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1_000);
  const nanoseconds = Math.round((epochMs - seconds * 1_000) * 1_000_000);
  return nanoseconds >= 1_000_000_000 ? [seconds + 1, nanoseconds - 1_000_000_000] : [seconds, nanoseconds];
}
