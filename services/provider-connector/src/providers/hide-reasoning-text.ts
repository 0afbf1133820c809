import type { UnnumberedStreamPart } from "@switchboard/contracts";

/**
 * The parts of an answer without its readable reasoning, for `reasoning.exclude: true` (OpenRouter: the
 * model reasons, the text is not returned, the reasoning tokens are still counted and billed): reasoning
 * text and summaries go, encrypted details stay, since they reveal nothing and a provider may need them
 * back (Gemini's thought signatures on function calls).
 */
export function hideReasoningText(parts: UnnumberedStreamPart[]): UnnumberedStreamPart[] {
  return parts.filter((part) => part.type !== "reasoning-delta" && !(part.type === "reasoning-detail" && part.detail.type !== "reasoning.encrypted"));
}
