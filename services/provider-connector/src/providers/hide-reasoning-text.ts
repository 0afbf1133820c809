import type { ReasoningDetail, UnnumberedStreamPart } from "@switchboard/contracts";

/**
 * The parts of an answer without its readable reasoning, for `reasoning.exclude: true` (OpenRouter: the
 * model reasons, the text is not returned, the reasoning tokens are still counted and billed).
 *
 * Reasoning text and summaries go. What reveals nothing and a provider needs back stays: encrypted
 * details (Gemini's thought signatures on function calls, Anthropic's redacted thinking) and the
 * signature over a thinking block (Anthropic's and Bedrock-Claude's `reasoning.text` detail, kept
 * without its text). Anthropic wants the last assistant turn's thinking block back, signature and all,
 * before a `tool_result`; it takes that block with an empty `thinking` (the signature carries the
 * reasoning encrypted, as it does for models that omit the displayed thinking), so a client that never
 * saw the text can still continue the tool loop. Dropping the signature would make that next turn a 400.
 *
 * Each piece of reasoning text becomes a `hidden-reasoning-delta` carrying only its size, so that a
 * model thinking counts as output: ingress does not fall back to another endpoint (paying twice) once
 * the model is thinking, and a stream cancelled or failed while it thinks is charged for it.
 */
export function hideReasoningText(parts: UnnumberedStreamPart[]): UnnumberedStreamPart[] {
  const hidden: UnnumberedStreamPart[] = [];
  for (const part of parts) {
    // The text goes, the fact that the model is producing (billed) output stays: see the part's contract.
    if (part.type === "reasoning-delta") {
      hidden.push({ type: "hidden-reasoning-delta", outputBytes: Buffer.byteLength(part.text, "utf8") });
      continue;
    }
    if (part.type === "reasoning-detail") {
      const detail = withoutText(part.detail);
      if (detail !== undefined) hidden.push({ ...part, detail });
      continue;
    }
    hidden.push(part);
  }
  return hidden;
}

/** The detail with no readable reasoning left, or undefined when nothing of it is worth sending back. */
function withoutText(detail: ReasoningDetail): ReasoningDetail | undefined {
  if (detail.type === "reasoning.encrypted") return detail;
  if (detail.type === "reasoning.text" && typeof detail.signature === "string" && detail.signature !== "") {
    const { text: _text, ...signed } = detail;
    return signed;
  }
  return undefined;
}
