import { z } from "zod";
import { tokenUsageSchema } from "../chat/stream-part.js";
import { replySubjectSchema } from "../identifiers.js";

/**
 * Asks how far one connector attempt got, by the inbox its parts go to. Ingress sends it when parts may
 * have been lost (its NATS connection came back, or a sequence number was skipped); every connector
 * replica hears it and only the one that ran the attempt answers.
 */
export const attemptProgressRequestSchema = z.object({ replyTo: replySubjectSchema });
export type AttemptProgressRequest = z.infer<typeof attemptProgressRequestSchema>;

/** What the connector published for the attempt; no content, only counts. */
export const attemptProgressSchema = z.object({
  /** The sequence number the next part would take: parts 0 … nextSeq − 1 were published. */
  nextSeq: z.number().int().nonnegative(),
  /** UTF-8 bytes of text, reasoning and tool-call output published, to charge what the provider produced. */
  outputBytes: z.number().int().nonnegative(),
  /** The provider's own usage report, once one was published. */
  usage: tokenUsageSchema.nullable(),
  /** True once the terminal part (`stream-end` or `error`) was published. */
  ended: z.boolean(),
});
export type AttemptProgress = z.infer<typeof attemptProgressSchema>;
