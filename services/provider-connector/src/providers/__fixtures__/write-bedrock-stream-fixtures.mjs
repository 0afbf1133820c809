// Writes the Bedrock ConverseStream recordings (bedrock-stream-*.eventstream) from the events below, framed
// by the AWS SDK's own event-stream codec (@smithy/core, the one parse-aws-event-stream.ts decodes with):
// each message has the headers `:event-type`, `:content-type` and `:message-type` Bedrock sends and a JSON
// payload shaped as the ConverseStream reference describes
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html). Bedrock pads
// payloads with a random `p` field so message sizes do not leak the text; the recordings keep it.
// Run from the repository root after changing an event:
//   node services/provider-connector/src/providers/__fixtures__/write-bedrock-stream-fixtures.mjs
import { Buffer } from "node:buffer";
import { writeFileSync } from "node:fs";
import { URL } from "node:url";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/core/serde";

/** @type {Record<string, [eventType: string, payload: Record<string, unknown>][]>} */
const recordings = {
  "bedrock-stream-text.eventstream": [
    ["messageStart", { role: "assistant", p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello!" }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: " How can I help" }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: " you today?" }, p: "abcdefghijkl" }],
    ["contentBlockStop", { contentBlockIndex: 0, p: "abcdefghijkl" }],
    ["messageStop", { stopReason: "end_turn", p: "abcdefghijkl" }],
    [
      "metadata",
      { usage: { inputTokens: 12, outputTokens: 12, totalTokens: 24, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, metrics: { latencyMs: 398 }, p: "abcdefghijkl" },
    ],
  ],
  // Two parallel tool uses, each input arriving in several deltas; the same answer as bedrock-chat-completion-tool-calls.json.
  "bedrock-stream-tool-calls.eventstream": [
    ["messageStart", { role: "assistant", p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Let me check the weather." }, p: "abcdefghijkl" }],
    ["contentBlockStop", { contentBlockIndex: 0, p: "abcdefghijkl" }],
    ["contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", name: "get_weather" } }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '{"location":' } }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: ' "Paris"}' } }, p: "abcdefghijkl" }],
    ["contentBlockStop", { contentBlockIndex: 1, p: "abcdefghijkl" }],
    ["contentBlockStart", { contentBlockIndex: 2, start: { toolUse: { toolUseId: "tooluse_Qm3xWv8RTe2bHn5YcLp0aZ", name: "get_weather" } }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '{"locat' } }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: 'ion": "To' } }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: 'kyo"}' } }, p: "abcdefghijkl" }],
    ["contentBlockStop", { contentBlockIndex: 2, p: "abcdefghijkl" }],
    ["messageStop", { stopReason: "tool_use", p: "abcdefghijkl" }],
    ["metadata", { usage: { inputTokens: 61, outputTokens: 72, totalTokens: 133 }, metrics: { latencyMs: 1012 }, p: "abcdefghijkl" }],
  ],
  // A response_format answer through the forced JSON tool; the same answer as bedrock-chat-completion-json-schema.json.
  "bedrock-stream-json-schema.eventstream": [
    ["messageStart", { role: "assistant", p: "abcdefghijkl" }],
    ["contentBlockStart", { contentBlockIndex: 0, start: { toolUse: { toolUseId: "tooluse_Hd8Vq2XnRw5mKz1PbLc7Tg", name: "switchboard_json_response" } }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: '{"city": "Pa' } }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: 'ris", "temperature_celsius"' } }, p: "abcdefghijkl" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: ": 18}" } }, p: "abcdefghijkl" }],
    ["contentBlockStop", { contentBlockIndex: 0, p: "abcdefghijkl" }],
    ["messageStop", { stopReason: "tool_use", p: "abcdefghijkl" }],
    ["metadata", { usage: { inputTokens: 430, outputTokens: 38, totalTokens: 468 }, metrics: { latencyMs: 911 }, p: "abcdefghijkl" }],
  ],
  "bedrock-stream-reasoning.eventstream": [
    ["messageStart", { p: "abcd", role: "assistant" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "The user wants the weather in Paris. " } }, p: "abcdefgh" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "I should call get_weather." } }, p: "abc" }],
    [
      "contentBlockDelta",
      { contentBlockIndex: 0, delta: { reasoningContent: { signature: "ErcBCkgIBxABGAIiQJrDBQPlAQxyQ5NkHy3pZzU9YbqKz2l7MZfM4iRO9Uu0DqG2ukAHJrNvdEo9W" } }, p: "abcdef" },
    ],
    ["contentBlockStop", { contentBlockIndex: 0, p: "ab" }],
    ["contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { name: "get_weather", toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q" } }, p: "abcdefghij" }],
    ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '{"city": "Pa' } }, p: "abcd" }],
    ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: 'ris"}' } }, p: "ab" }],
    ["contentBlockStop", { contentBlockIndex: 1, p: "abcdefg" }],
    ["messageStop", { p: "abcdefghijklm", stopReason: "tool_use" }],
    ["metadata", { metrics: { latencyMs: 2113 }, p: "abcdef", usage: { inputTokens: 480, outputTokens: 96, totalTokens: 576 } }],
  ],
};

const codec = new EventStreamCodec(toUtf8, fromUtf8);

for (const [fileName, events] of Object.entries(recordings)) {
  const messages = events.map(([eventType, payload]) =>
    codec.encode({
      headers: {
        ":event-type": { type: "string", value: eventType },
        ":content-type": { type: "string", value: "application/json" },
        ":message-type": { type: "string", value: "event" },
      },
      body: fromUtf8(JSON.stringify(payload)),
    }),
  );
  writeFileSync(new URL(fileName, import.meta.url), Buffer.concat(messages));
}
