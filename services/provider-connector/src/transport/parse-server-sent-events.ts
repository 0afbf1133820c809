/** One Server-Sent Event: its `event` field when the sender set one, and its `data` lines joined by "\n". */
export interface ServerSentEvent {
  event?: string;
  data: string;
}

const lineBreak = /[\r\n]/g;

/** Far beyond any real chat chunk; a stream that never breaks its lines must not grow memory without end. */
export const maximumEventCharacters = 16 * 1024 * 1024;

/** The stream held an event (or an unterminated line) longer than `maximumEventCharacters`. */
export class ServerSentEventTooLargeError extends Error {
  constructor() {
    super(`A server-sent event exceeded ${maximumEventCharacters} characters`);
    this.name = "ServerSentEventTooLargeError";
  }
}

/**
 * Parses a byte (or text) stream as Server-Sent Events, following the WHATWG event-stream rules
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end with "\n", "\r\n" or "\r"; a blank line dispatches the event; lines starting with ":" are
 * comments (providers send them as keep-alives); several `data` lines are joined with "\n"; one space
 * after the colon is dropped. Network chunks may split a line, a "\r\n" pair or a multi-byte UTF-8
 * character anywhere, so text is decoded in streaming mode and only complete lines are interpreted.
 * An event not terminated by a blank line when the stream ends is discarded, as the standard says.
 */
export async function* parseServerSentEvents(
  source: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const decoder = new TextDecoder();
  let buffer = "";
  // A chunk that ends in "\r" may be followed by the "\n" of the same line break in the next chunk.
  let skipNextLineFeed = false;
  let dataLines: string[] = [];
  let eventName: string | undefined;

  function* interpretCompleteLines(): Generator<ServerSentEvent> {
    let position = 0;
    while (position <= buffer.length) {
      if (skipNextLineFeed) {
        if (position === buffer.length) break;
        if (buffer[position] === "\n") position += 1;
        skipNextLineFeed = false;
      }
      lineBreak.lastIndex = position;
      const match = lineBreak.exec(buffer);
      if (match === null) break;
      const lineEnd = match.index;
      const line = buffer.slice(position, lineEnd);
      if (buffer[lineEnd] === "\r") {
        if (lineEnd + 1 === buffer.length) {
          skipNextLineFeed = true;
          position = lineEnd + 1;
        } else {
          position = buffer[lineEnd + 1] === "\n" ? lineEnd + 2 : lineEnd + 1;
        }
      } else {
        position = lineEnd + 1;
      }

      if (line === "") {
        // A blank line without any data line dispatches nothing (the standard's "empty data buffer" rule).
        if (dataLines.length > 0) {
          const event: ServerSentEvent = { data: dataLines.join("\n") };
          if (eventName !== undefined && eventName !== "") event.event = eventName;
          yield event;
        }
        dataLines = [];
        eventName = undefined;
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") dataLines.push(value);
      else if (field === "event") eventName = value;
      // `id` and `retry` only matter for browser reconnection, which a provider stream never uses.
    }
    buffer = buffer.slice(position);
  }

  let pendingDataCharacters = 0;
  for await (const chunk of source) {
    buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    yield* interpretCompleteLines();
    pendingDataCharacters = dataLines.reduce((total, line) => total + line.length, 0);
    if (buffer.length + pendingDataCharacters > maximumEventCharacters) throw new ServerSentEventTooLargeError();
  }
  buffer += decoder.decode();
  yield* interpretCompleteLines();
}
