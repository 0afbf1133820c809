import { reasoningDetailSchema, type UnnumberedStreamPart } from "@switchboard/contracts";

/**
 * `reasoning_details` an OpenAI-compatible upstream returned (OpenRouter itself, as an upstream), passed on
 * unchanged as `reasoning-detail` parts; the readable text also came as `reasoning`, which carries it to
 * `message.reasoning`. Entries of a type OpenRouter has not defined are skipped, not failed on.
 */
export function convertOpenAIReasoningDetails(details: readonly unknown[] | null | undefined): UnnumberedStreamPart[] {
  if (!details || details.length === 0) return [];
  const parts: UnnumberedStreamPart[] = [];
  for (const detail of details) {
    const parsed = reasoningDetailSchema.safeParse(detail);
    if (parsed.success) parts.push({ type: "reasoning-detail", detail: parsed.data });
  }
  return parts;
}
