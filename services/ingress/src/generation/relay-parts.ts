import type { GatewayError, StreamPart } from "@switchboard/contracts";
import type { PartReader } from "./part-reader.js";

export interface RelayPartsOptions {
  reader: PartReader;
  /** Parts read before relaying began (up to the first output). */
  parts: StreamPart[];
  /** Fires when the client went away: relaying stops without a terminal part. */
  clientGone: AbortSignal;
  /** Fires at the maximum duration or at shutdown: relaying ends with `deadlineError()`. */
  deadline: AbortSignal;
  deadlineError: () => GatewayError;
  /** The client left: receives the parts that arrived but were not relayed (usage may be among them). */
  onClientGone: (unrelayed: StreamPart[]) => void;
  /** Stops the upstream call; called when relaying ends before the connector's own terminal part. */
  stopUpstream: () => void;
}

/**
 * The chosen candidate's parts, ending with `stream-end` or `error`. When the client goes away it stops
 * (handing over the parts not relayed); at the deadline it ends with an error part. Errors are marked as
 * coming after the first token. However the consumer leaves, the upstream call does not outlive this loop.
 */
export async function* relayParts(options: RelayPartsOptions): AsyncGenerator<StreamPart> {
  const { reader } = options;
  const stop = AbortSignal.any([options.clientGone, options.deadline]);
  const pending = [...options.parts];
  let ended = false;
  let clientLeft = false;
  try {
    for (;;) {
      if (options.clientGone.aborted) {
        clientLeft = true;
        for (let part = reader.takeQueued(); part; part = reader.takeQueued()) pending.push(part);
        options.onClientGone(pending);
        return;
      }
      const next = pending.shift() ?? (await reader.nextBefore(stop));
      if (next === null && options.clientGone.aborted) continue;
      let part: StreamPart;
      if (next === null) part = { type: "error", seq: -1, error: options.deadlineError(), beforeFirstToken: false };
      else if (next.type === "error") part = { ...next, beforeFirstToken: false };
      else part = next;
      if (part.type === "error" && part.seq === -1) {
        // Raised here or by the reader (silence, lost parts, the deadline): the upstream call still runs.
        reader.close();
        options.stopUpstream();
      }
      if (part.type === "stream-end" || part.type === "error") ended = true;
      yield part;
      if (ended) return;
    }
  } finally {
    if (!ended && !clientLeft) {
      // The consumer stopped early (an exception while answering): nobody will read the rest.
      reader.close();
      options.stopUpstream();
    }
  }
}
