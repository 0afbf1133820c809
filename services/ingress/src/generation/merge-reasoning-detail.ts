import type { ReasoningDetail } from "@switchboard/contracts";

/**
 * Adds one streamed piece of a `reasoning_details` entry to the list of whole entries: a piece with the
 * index and type of an entry already there extends it (text and summary concatenate; a signature, data,
 * id or format is set), any other piece starts a new entry. This is how OpenRouter's clients rebuild
 * `reasoning_details` from `delta.reasoning_details`, so the non-streamed answer holds the same entries.
 */
export function mergeReasoningDetail(details: ReasoningDetail[], piece: ReasoningDetail): void {
  const existing = piece.index === undefined || piece.index === null ? undefined : details.find((detail) => detail.index === piece.index && detail.type === piece.type);
  if (existing === undefined) {
    details.push({ ...piece });
    return;
  }
  const target = existing as Record<string, unknown>;
  for (const [key, value] of Object.entries(piece)) {
    if (value === undefined || value === null) continue;
    if ((key === "text" || key === "summary") && typeof value === "string") target[key] = `${typeof target[key] === "string" ? target[key] : ""}${value}`;
    else target[key] = value;
  }
}
