import type { UpstreamStreamEvent } from "../providers/provider-adapter.js";
import type { StreamFraming } from "../providers/stream-framing.js";
import { parseServerSentEvents } from "./parse-server-sent-events.js";

/**
 * The events of a streamed response body, parsed by the framing its adapter declared. One switch so a new
 * framing (AWS event-stream for Bedrock, issue 11) is one parser and one case here, and no adapter sees bytes.
 */
export function readUpstreamStream(body: AsyncIterable<Uint8Array | string>, framing: StreamFraming): AsyncIterable<UpstreamStreamEvent> {
  switch (framing) {
    case "server-sent-events":
      return parseServerSentEvents(body);
  }
}
