import type { UpstreamStreamEvent } from "../providers/provider-adapter.js";
import type { StreamFraming } from "../providers/stream-framing.js";
import { parseAwsEventStream } from "./parse-aws-event-stream.js";
import { parseServerSentEvents } from "./parse-server-sent-events.js";

/** The events of a streamed response body, parsed by the framing its adapter declared; no adapter sees bytes. */
export function readUpstreamStream(body: AsyncIterable<Uint8Array | string>, framing: StreamFraming): AsyncIterable<UpstreamStreamEvent> {
  switch (framing) {
    case "server-sent-events":
      return parseServerSentEvents(body);
    case "aws-event-stream":
      return parseAwsEventStream(body);
  }
}
