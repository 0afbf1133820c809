import { describe, expect, it } from "vitest";
import { parseServerSentEvents, ServerSentEventTooLargeError, type ServerSentEvent } from "./parse-server-sent-events.js";

async function* fromChunks(chunks: readonly (Uint8Array | string)[]): AsyncGenerator<Uint8Array | string> {
  for (const chunk of chunks) yield chunk;
}

async function parseAll(chunks: readonly (Uint8Array | string)[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of parseServerSentEvents(fromChunks(chunks))) events.push(event);
  return events;
}

const encoder = new TextEncoder();

describe("parseServerSentEvents", () => {
  it("yields one event per blank-line-terminated block", async () => {
    expect(await parseAll(["data: one\n\ndata: two\n\n"])).toEqual([{ data: "one" }, { data: "two" }]);
  });

  it("accepts CRLF and lone CR line endings", async () => {
    expect(await parseAll(["data: a\r\n\r\ndata: b\r\rdata: c\n\n"])).toEqual([{ data: "a" }, { data: "b" }, { data: "c" }]);
  });

  it("joins multi-line data with a line feed and keeps the event name", async () => {
    expect(await parseAll(["event: message_delta\ndata: first\ndata: second\n\n"])).toEqual([
      { event: "message_delta", data: "first\nsecond" },
    ]);
  });

  it("ignores comments, unknown fields, id and retry", async () => {
    expect(await parseAll([": keep-alive\n\nid: 7\nretry: 100\nfoo: bar\ndata: x\n\n: OPENROUTER PROCESSING\n\n"])).toEqual([{ data: "x" }]);
  });

  it("drops only one space after the colon and treats a line without colon as a field name", async () => {
    expect(await parseAll(["data:  two spaces\n\ndata:nospace\n\ndata\n\n"])).toEqual([
      { data: " two spaces" },
      { data: "nospace" },
      { data: "" },
    ]);
  });

  it("resets the event name after each event", async () => {
    expect(await parseAll(["event: ping\ndata: 1\n\ndata: 2\n\n"])).toEqual([{ event: "ping", data: "1" }, { data: "2" }]);
  });

  it("produces the same events whatever the chunk boundaries", async () => {
    const transcript = 'event: e\r\ndata: {"text":"héllo 👋"}\r\n\r\n: comment\r\ndata: [DONE]\r\n\r\n';
    const bytes = encoder.encode(transcript);
    const expected = [{ event: "e", data: '{"text":"héllo 👋"}' }, { data: "[DONE]" }];
    for (let size = 1; size <= 7; size += 1) {
      const chunks: Uint8Array[] = [];
      for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
      expect(await parseAll(chunks)).toEqual(expected);
    }
    // Every single split point, including between "\r" and "\n" and inside a multi-byte character.
    for (let split = 1; split < bytes.length; split += 1) {
      expect(await parseAll([bytes.subarray(0, split), bytes.subarray(split)])).toEqual(expected);
    }
  });

  it("does not treat a CR at a chunk end followed by a LF as two line breaks", async () => {
    expect(await parseAll(["data: a\r", "\ndata: b\r", "\n\r", "\n"])).toEqual([{ data: "a\nb" }]);
  });

  it("discards an event that the stream ends before terminating", async () => {
    expect(await parseAll(["data: complete\n\ndata: trunc"])).toEqual([{ data: "complete" }]);
    expect(await parseAll(["data: complete\n\ndata: no blank line\n"])).toEqual([{ data: "complete" }]);
  });

  it("propagates an error of the source after the events read so far", async () => {
    async function* failing(): AsyncGenerator<string> {
      yield "data: before\n\n";
      throw new Error("socket hang up");
    }
    const events: ServerSentEvent[] = [];
    await expect(async () => {
      for await (const event of parseServerSentEvents(failing())) events.push(event);
    }).rejects.toThrow("socket hang up");
    expect(events).toEqual([{ data: "before" }]);
  });

  it("refuses a stream whose event grows past the limit instead of buffering it forever", async () => {
    async function* endlessLine() {
      const megabyte = "x".repeat(1024 * 1024);
      yield "data: ";
      for (let index = 0; index < 20; index++) yield megabyte;
    }
    const consume = async () => {
      for await (const event of parseServerSentEvents(endlessLine())) void event;
    };
    await expect(consume()).rejects.toBeInstanceOf(ServerSentEventTooLargeError);
  });
});
