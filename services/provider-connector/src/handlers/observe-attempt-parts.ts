import type { UnnumberedStreamPart } from "@switchboard/contracts";
import type { NumberedPartPublisher } from "./numbered-part-publisher.js";

/** What the connector's usage report needs from an attempt's parts beyond the publisher's own counts. */
export interface AttemptPartsSummary {
  finishReason: string | null;
  upstreamId: string | null;
}

/**
 * The same publisher, noting the provider's finish reason and response id as parts go out (issue 10):
 * the usage report carries them when ingress cannot. Reads only part types, never their text.
 */
export function observeAttemptParts(parts: NumberedPartPublisher): { parts: NumberedPartPublisher; summary: AttemptPartsSummary } {
  const summary: AttemptPartsSummary = { finishReason: null, upstreamId: null };
  const note = (part: UnnumberedStreamPart) => {
    if (part.type === "finish") summary.finishReason = part.finishReason;
    else if (part.type === "stream-start" && part.upstreamId !== null) summary.upstreamId = part.upstreamId;
  };
  const observed: NumberedPartPublisher = {
    publish(part) {
      if (!parts.ended) note(part);
      parts.publish(part);
    },
    publishAll(all) {
      if (!parts.ended) for (const part of all) note(part);
      parts.publishAll(all);
    },
    acknowledge: (delayMs) => parts.acknowledge(delayMs),
    get outputSent() {
      return parts.outputSent;
    },
    get firstOutputAt() {
      return parts.firstOutputAt;
    },
    get ended() {
      return parts.ended;
    },
    progress: () => parts.progress(),
  };
  return { parts: observed, summary };
}
