import type { AttemptProgress, TokenUsage } from "@switchboard/contracts";
import { estimateUsage } from "./estimate-tokens.js";
import type { ResponseAccumulator } from "./response-accumulator.js";

/** What decides a generation's charge. */
export interface ChargeableUsageInput {
  accumulator: Pick<ResponseAccumulator, "usage" | "producedOutput" | "outputBytes">;
  /** The connector's own count, when parts were lost and it was asked; covers what never arrived. */
  connectorProgress: AttemptProgress | null;
  failed: boolean;
  cancelled: boolean;
  /** Whether the client received output (a failed stream that had sent text is still charged). */
  deliveredOutput: boolean;
  /** promptTokenUpperBound's byte count of the request, for an estimate. */
  promptBytes: number;
  /** The most output the serving candidate could produce; bounds an estimate. */
  outputBound: number;
}

/** Tokens to charge, and whether we estimated them rather than the provider reporting them. */
export interface ChargeableUsage {
  usage: TokenUsage;
  estimated: boolean;
}

export const noUsage: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/**
 * Tokens to charge. A failure the client received no output from is not charged; a cancelled or failed
 * stream is charged for what was produced, by the provider's count or else our estimate.
 */
export function chargeableUsage(input: ChargeableUsageInput): ChargeableUsage {
  const { accumulator, connectorProgress } = input;
  if (input.failed && !input.deliveredOutput) return { usage: noUsage, estimated: false };
  // Parts lost to a NATS outage still count: the connector's own report covers what never arrived.
  const usage = accumulator.usage ?? connectorProgress?.usage ?? null;
  if (usage) return { usage, estimated: false };
  if (!accumulator.producedOutput && (input.cancelled || input.failed)) return { usage: noUsage, estimated: false };
  const outputBytes = Math.max(accumulator.outputBytes(), connectorProgress?.outputBytes ?? 0);
  return { usage: estimateUsage(input.promptBytes, outputBytes, input.outputBound), estimated: true };
}
