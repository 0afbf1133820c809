import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/core/serde";
import { describe, expect, it } from "vitest";
import { parseAwsEventStream } from "./parse-aws-event-stream.js";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One message as Bedrock's ConverseStream frames it. */
function message(type: "event" | "exception", name: string, payload: unknown): Uint8Array {
  const typeHeader = type === "event" ? ":event-type" : ":exception-type";
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: type },
      [typeHeader]: { type: "string", value: name },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

async function parse(chunks: Uint8Array[]) {
  async function* source() {
    yield* chunks;
  }
  const events = [];
  for await (const event of parseAwsEventStream(source())) events.push(event);
  return events;
}

describe("parseAwsEventStream", () => {
  const stream = Buffer.concat([
    message("event", "messageStart", { role: "assistant" }),
    message("event", "contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hé" } }),
    message("event", "messageStop", { stopReason: "end_turn" }),
  ]);
  const expected = [
    { event: "messageStart", data: '{"role":"assistant"}' },
    { event: "contentBlockDelta", data: '{"contentBlockIndex":0,"delta":{"text":"Hé"}}' },
    { event: "messageStop", data: '{"stopReason":"end_turn"}' },
  ];

  it("yields each message's event type and JSON payload", async () => {
    expect(await parse([stream])).toEqual(expected);
  });

  it("reassembles messages split anywhere across network chunks, inside the prelude too", async () => {
    for (const size of [1, 3, 7, 50]) {
      const chunks: Uint8Array[] = [];
      for (let start = 0; start < stream.length; start += size) chunks.push(stream.subarray(start, start + size));
      expect(await parse(chunks)).toEqual(expected);
    }
  });

  it("names an exception by its exception type", async () => {
    expect(await parse([message("exception", "throttlingException", { message: "Too many requests" })])).toEqual([
      { event: "throttlingException", data: '{"message":"Too many requests"}' },
    ]);
  });

  it("refuses a corrupted message and a body that ends inside one, as retryable upstream errors", async () => {
    const corrupted = Buffer.from(stream);
    corrupted[20] = corrupted[20]! ^ 0xff;
    await expect(parse([corrupted])).rejects.toMatchObject({ error: { status: 502, retryable: true } });
    await expect(parse([stream.subarray(0, stream.length - 5)])).rejects.toMatchObject({ error: { status: 502, retryable: true } });
  });
});
