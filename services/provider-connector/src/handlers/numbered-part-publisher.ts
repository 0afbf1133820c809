import type { NatsConnection } from "@nats-io/transport-node";
import type { UnnumberedStreamPart } from "@switchboard/contracts";

/** Publishes one generation's parts to the asking ingress, in order and numbered. */
export interface NumberedPartPublisher {
  /** Numbers and publishes a part; ignored once a terminal part (`stream-end` or `error`) went out. */
  publish(part: UnnumberedStreamPart): void;
  /** True once a text, reasoning or tool-call delta went out: from then on ingress cannot fall back. */
  readonly outputSent: boolean;
  /** True once the terminal part went out. */
  readonly ended: boolean;
}

const outputPartTypes: ReadonlySet<UnnumberedStreamPart["type"]> = new Set(["text-delta", "reasoning-delta", "tool-call-delta"]);

/**
 * Numbers parts with `seq` from 0, so ingress detects a lost message instead of relaying a silently
 * truncated answer, and guarantees at most one terminal part per generation.
 */
export function createNumberedPartPublisher(connection: Pick<NatsConnection, "publish">, replyTo: string): NumberedPartPublisher {
  let seq = 0;
  let outputSent = false;
  let ended = false;
  return {
    publish(part) {
      if (ended) return;
      connection.publish(replyTo, JSON.stringify({ ...part, seq }));
      seq += 1;
      if (outputPartTypes.has(part.type)) outputSent = true;
      if (part.type === "stream-end" || part.type === "error") ended = true;
    },
    get outputSent() {
      return outputSent;
    },
    get ended() {
      return ended;
    },
  };
}
