import type { NatsConnection } from "@nats-io/transport-node";
import type { AttemptProgress, UnnumberedStreamPart } from "@switchboard/contracts";

/** Publishes one generation's parts to the asking ingress, in order and numbered. */
export interface NumberedPartPublisher {
  /** Numbers and publishes a part; ignored once a terminal part (`stream-end` or `error`) went out. */
  publish(part: UnnumberedStreamPart): void;
  /**
   * Numbers the parts and publishes them as ONE message (a JSON array), up to and including the first
   * terminal part: a whole (non-streamed) answer crosses the bus once instead of once per part.
   */
  publishAll(parts: readonly UnnumberedStreamPart[]): void;
  /** True once a text, reasoning or tool-call delta went out: from then on ingress cannot fall back. */
  readonly outputSent: boolean;
  /** True once the terminal part went out. */
  readonly ended: boolean;
  /** How far the attempt got, for an ingress that may have lost parts (no content, only counts). */
  progress(): AttemptProgress;
}

const outputPartTypes: ReadonlySet<UnnumberedStreamPart["type"]> = new Set(["text-delta", "reasoning-delta", "tool-call-delta"]);

/** UTF-8 bytes of the output a part carries; what ingress charges by when the provider's usage is lost. */
function outputBytesOf(part: UnnumberedStreamPart): number {
  switch (part.type) {
    case "text-delta":
    case "reasoning-delta":
      return Buffer.byteLength(part.text, "utf8");
    case "tool-call-delta":
      return Buffer.byteLength((part.name ?? "") + part.argumentsDelta, "utf8");
    default:
      return 0;
  }
}

/**
 * Numbers parts with `seq` from 0, so ingress detects a lost message instead of relaying a silently
 * truncated answer, and guarantees at most one terminal part per generation.
 */
export function createNumberedPartPublisher(connection: Pick<NatsConnection, "publish">, replyTo: string): NumberedPartPublisher {
  let seq = 0;
  let outputSent = false;
  let ended = false;
  let outputBytes = 0;
  let usage: AttemptProgress["usage"] = null;
  /** Counts a published part: its sequence number is taken, its output and usage recorded. */
  const count = (part: UnnumberedStreamPart) => {
    seq += 1;
    if (outputPartTypes.has(part.type)) outputSent = true;
    outputBytes += outputBytesOf(part);
    if (part.type === "usage") usage = part.usage;
    if (part.type === "stream-end" || part.type === "error") ended = true;
  };
  return {
    publish(part) {
      if (ended) return;
      // Counted only once published: a publish that throws (a closing connection) takes no number, so
      // ingress sees no gap for it.
      connection.publish(replyTo, JSON.stringify({ ...part, seq }));
      count(part);
    },
    publishAll(parts) {
      if (ended) return;
      const terminal = parts.findIndex((part) => part.type === "stream-end" || part.type === "error");
      const included = terminal === -1 ? parts : parts.slice(0, terminal + 1);
      if (included.length === 0) return;
      const firstSeq = seq;
      const payload = JSON.stringify(included.map((part, index) => ({ ...part, seq: firstSeq + index })));
      connection.publish(replyTo, payload);
      for (const part of included) count(part);
    },
    get outputSent() {
      return outputSent;
    },
    get ended() {
      return ended;
    },
    progress() {
      return { nextSeq: seq, outputBytes, usage, ended };
    },
  };
}
