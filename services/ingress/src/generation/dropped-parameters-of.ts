import type { StreamPart } from "@switchboard/contracts";

/** The names of the request parameters the connector did not send, from the provider's `stream-start` warnings (issue 11). */
export function droppedParametersOf(parts: readonly StreamPart[]): string[] {
  return parts.flatMap((part) => (part.type === "stream-start" ? (part.warnings ?? []).map((warning) => warning.parameter) : []));
}
