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
  /**
   * Takes the request: part 0, a `stream-start` without an upstream id, which tells ingress a connector
   * has it. The part is held for up to `delayMs` and travels in the same message as the next part when
   * that comes sooner, so an answer that arrives quickly crosses the bus once instead of twice; otherwise
   * it goes alone when the delay ends. Call it first, once.
   */
  acknowledge(delayMs: number): void;
  /** True once a text, reasoning (hidden too) or tool-call delta (or a vector) went out: from then on ingress cannot fall back. */
  readonly outputSent: boolean;
  /** `performance.now()` when the first output went out (time to first token, for health); null before. */
  readonly firstOutputAt: number | null;
  /** True once the terminal part went out. */
  readonly ended: boolean;
  /** How far the attempt got, for an ingress that may have lost parts (no content, only counts). */
  progress(): AttemptProgress;
}

/**
 * How long part 0 waits for company (`CONNECTOR_ACKNOWLEDGE_DELAY_MS`). Long enough that a fast answer
 * (an embedding, a short completion from a fast provider) goes back in one message; far below ingress's
 * `SERVICE_REQUEST_TIMEOUT_MS` (5 s), the time it gives a connector to take a request.
 */
export const defaultAcknowledgementDelayMs = 250;

/** Part 0 of every generation: the connector took the request; the provider's own `stream-start` comes later. */
const acknowledgement: UnnumberedStreamPart = { type: "stream-start", upstreamId: null };

const outputPartTypes: ReadonlySet<UnnumberedStreamPart["type"]> = new Set([
  "text-delta",
  "reasoning-delta",
  "hidden-reasoning-delta",
  "refusal-delta",
  "tool-call-delta",
  "embedding",
]);

/** UTF-8 bytes of the output a part carries; what ingress charges by when the provider's usage is lost. */
function outputBytesOf(part: UnnumberedStreamPart): number {
  switch (part.type) {
    case "text-delta":
    case "reasoning-delta":
    case "refusal-delta":
      return Buffer.byteLength(part.text, "utf8");
    case "tool-call-delta":
      return Buffer.byteLength((part.name ?? "") + part.argumentsDelta, "utf8");
    case "hidden-reasoning-delta":
      return part.outputBytes;
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
  let firstOutputAt: number | null = null;
  let ended = false;
  let outputBytes = 0;
  let usage: AttemptProgress["usage"] = null;
  let heldAcknowledgement: NodeJS.Timeout | undefined;
  /** Counts a published part: its sequence number is taken, its output and usage recorded. */
  const count = (part: UnnumberedStreamPart) => {
    seq += 1;
    if (outputPartTypes.has(part.type) && !outputSent) {
      outputSent = true;
      firstOutputAt = performance.now();
    }
    outputBytes += outputBytesOf(part);
    if (part.type === "usage") usage = part.usage;
    if (part.type === "stream-end" || part.type === "error") ended = true;
  };
  /** The held acknowledgement, if any, to go first in the next message; the timer that would send it alone is stopped. */
  const takeHeldAcknowledgement = (): UnnumberedStreamPart[] => {
    if (heldAcknowledgement === undefined) return [];
    clearTimeout(heldAcknowledgement);
    heldAcknowledgement = undefined;
    return [acknowledgement];
  };
  /** Publishes the parts as one message; counted only once published: a publish that throws (a closing connection) takes no number, so ingress sees no gap for it. */
  const publishMessage = (included: readonly UnnumberedStreamPart[]) => {
    if (included.length === 1) {
      connection.publish(replyTo, JSON.stringify({ ...included[0], seq }));
    } else {
      const firstSeq = seq;
      connection.publish(replyTo, JSON.stringify(included.map((part, index) => ({ ...part, seq: firstSeq + index }))));
    }
    for (const part of included) count(part);
  };
  const publisher: NumberedPartPublisher = {
    publish(part) {
      if (ended) return;
      publishMessage(heldAcknowledgement === undefined ? [part] : [...takeHeldAcknowledgement(), part]);
    },
    publishAll(parts) {
      if (ended) return;
      const terminal = parts.findIndex((part) => part.type === "stream-end" || part.type === "error");
      const included = terminal === -1 || terminal === parts.length - 1 ? parts : parts.slice(0, terminal + 1);
      if (included.length === 0) return;
      publishMessage(heldAcknowledgement === undefined ? included : [...takeHeldAcknowledgement(), ...included]);
    },
    acknowledge(delayMs) {
      if (ended || seq > 0 || heldAcknowledgement !== undefined) return;
      if (delayMs <= 0) return publisher.publish(acknowledgement);
      heldAcknowledgement = setTimeout(() => {
        heldAcknowledgement = undefined;
        publisher.publish(acknowledgement);
      }, delayMs);
    },
    get outputSent() {
      return outputSent;
    },
    get firstOutputAt() {
      return firstOutputAt;
    },
    get ended() {
      return ended;
    },
    progress() {
      return { nextSeq: seq, outputBytes, usage, ended };
    },
  };
  return publisher;
}
