import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import {
  gatewayErrorCodes,
  SwitchboardError,
  streamPartSchema,
  type ChatRequest,
  type FinishReason,
  type GatewayError,
  type ReasoningDetail,
  type UnnumberedStreamPart,
} from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { readUpstreamStream } from "../transport/read-upstream-stream.js";
import { jsonResponseToolName } from "./json-response-tool.js";
import type { ProviderAdapter, UpstreamRequest, UpstreamStreamEvent } from "./provider-adapter.js";
import { hideReasoningText } from "./hide-reasoning-text.js";
import { providerRegistry } from "./registry.js";
import { streamFramings, type StreamFraming } from "./stream-framing.js";

/**
 * The behaviour every registered adapter must show, run over the registry (kysely's `for (const dialect
 * of DIALECTS)`). Each adapter ships, in `__fixtures__/`, recordings named after its `api`:
 * `<api>-chat-completion.json`, `<api>-stream-text.<framing>` (the same answer streamed, with usage),
 * `<api>-stream-tool-calls.<framing>` (two parallel calls to `get_weather`, each one's arguments in several
 * deltas where the provider streams them in pieces) with `<api>-chat-completion-tool-calls.json` (the same
 * answer whole), `<api>-chat-completion-json-schema.json` (an answer to a `response_format` json_schema
 * request, in whatever shape the provider returns it: `{"city":"Paris","temperature_celsius":18}`; an adapter
 * that turns a tool call back into that text also ships `<api>-stream-json-schema.<framing>`, the same
 * answer streamed) and
 * `<api>-error-body.json` (a 4xx body), where the stream recordings are `.sse` for server-sent events and
 * `.eventstream` (binary, written by `write-bedrock-stream-fixtures.mjs`) for AWS event streams; and
 * `<api>-error-classes.json`, the provider's documented error body for each error class below plus one
 * error event inside a stream, with the message the client must see as `metadata.raw`. An adapter whose
 * provider returns its reasoning also ships `<api>-chat-completion-reasoning.json` and
 * `<api>-stream-reasoning.<framing>`, the same reasoning answer whole and streamed. What each adapter must
 * build from the client's tools, tool choice, tool results, images and response format, and how it maps its
 * provider's stop reasons, is in `apiExpectations` below: one entry per `api`, so a new adapter must state them.
 */

interface ErrorClassFixture {
  status: number;
  body: string;
  /**
   * The provider's message as the connector passes it on, for every class including a rejected provider key
   * (issue 11); the handler scrubs the key's own material from it (handlers/scrub-key-material.ts).
   */
  raw: string;
}

type ErrorClassFixtures = Record<"rate-limited" | "server-error" | "overloaded" | "invalid-request" | "unauthorized" | "timeout", ErrorClassFixture> & {
  "stream-error": { event: UpstreamStreamEvent; raw: string };
};

/** What each error class must become: the code, status and retry decision ingress acts on. */
const expectedErrorClasses: Record<Exclude<keyof ErrorClassFixtures, "stream-error">, Pick<GatewayError, "code" | "status" | "retryable">> = {
  "rate-limited": { code: gatewayErrorCodes.upstreamRateLimited, status: 429, retryable: true },
  "server-error": { code: gatewayErrorCodes.upstreamError, status: 502, retryable: true },
  overloaded: { code: gatewayErrorCodes.upstreamError, status: 502, retryable: true },
  "invalid-request": { code: gatewayErrorCodes.invalidRequest, status: 400, retryable: false },
  unauthorized: { code: gatewayErrorCodes.upstreamError, status: 502, retryable: false },
  timeout: { code: gatewayErrorCodes.upstreamTimeout, status: 408, retryable: true },
};

async function errorClassFixtures(api: string): Promise<ErrorClassFixtures> {
  return JSON.parse(await fixture(`${api}-error-classes.json`)) as ErrorClassFixtures;
}

function fixture(name: string): Promise<string> {
  return readFile(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8");
}

const streamFixtureExtensions: Record<StreamFraming, string> = { "server-sent-events": "sse", "aws-event-stream": "eventstream" };

/** A recorded stream's bytes, by the adapter's framing. */
function streamFixture(api: string, adapter: ProviderAdapter, name: "text" | "tool-calls" | "reasoning" | "json-schema"): Promise<Buffer> {
  return readFile(new URL(`./__fixtures__/${api}-stream-${name}.${streamFixtureExtensions[adapter.streamFraming]}`, import.meta.url));
}

/** A host that also names an AWS region, which the Bedrock adapter signs for; a path and query every adapter must keep. */
const conformanceBaseUrl = "https://bedrock-runtime.us-east-1.provider.example/api-root?tenant=7";

async function replayStreamWithState(adapter: ProviderAdapter, transcript: Buffer): Promise<{ parts: UnnumberedStreamPart[]; complete: boolean }> {
  const state = adapter.createStreamState();
  const parts: UnnumberedStreamPart[] = [];
  // Cut the transcript in small pieces so adapters also see events split across network chunks.
  async function* chunks() {
    for (let start = 0; start < transcript.length; start += 37) yield transcript.subarray(start, start + 37);
  }
  for await (const event of readUpstreamStream(chunks(), adapter.streamFraming)) parts.push(...adapter.fromUpstreamStreamEvent(event, state));
  return { parts, complete: adapter.isStreamComplete(state) };
}

async function replayStream(adapter: ProviderAdapter, transcript: Buffer): Promise<UnnumberedStreamPart[]> {
  return (await replayStreamWithState(adapter, transcript)).parts;
}

function text(parts: readonly UnnumberedStreamPart[]): string {
  return parts.map((part) => (part.type === "text-delta" ? part.text : "")).join("");
}

function reasoningText(parts: readonly UnnumberedStreamPart[]): string {
  return parts.map((part) => (part.type === "reasoning-delta" ? part.text : "")).join("");
}

/** The `reasoning_details` a client rebuilds from the parts: pieces with one index and type form one entry. */
function reasoningDetails(parts: readonly UnnumberedStreamPart[]): ReasoningDetail[] {
  const details: Record<string, unknown>[] = [];
  for (const part of parts) {
    const piece = part.type === "reasoning-delta" ? part.detail : part.type === "reasoning-detail" ? part.detail : undefined;
    if (piece === undefined) continue;
    const existing = details.find((detail) => detail["index"] === piece.index && detail["type"] === piece.type);
    if (existing === undefined) details.push({ ...piece });
    else for (const [key, value] of Object.entries(piece)) existing[key] = key === "text" ? `${(existing[key] as string | undefined) ?? ""}${value as string}` : value;
  }
  return details as ReasoningDetail[];
}

function expectWellFormedGeneration(parts: readonly UnnumberedStreamPart[]): void {
  const types = parts.map((part) => part.type);
  expect(types[0]).toBe("stream-start");
  expect(types.slice(-2)).toEqual(["finish", "usage"]);
  expect(types.filter((type) => type === "stream-start")).toHaveLength(1);
  expect(types.filter((type) => type === "finish")).toHaveLength(1);
  // Ending a generation is the handler's job.
  expect(types).not.toContain("stream-end");
  expect(types).not.toContain("error");
  parts.forEach((part, seq) => expect(streamPartSchema.safeParse({ ...part, seq }).success).toBe(true));
}

/** The client's function tool every adapter's request is checked with. */
const weatherParameters = { type: "object", properties: { location: { type: "string" } }, required: ["location"] };
const weatherTool = { type: "function", function: { name: "get_weather", description: "Current weather for a city", parameters: weatherParameters } };

/** A finished parallel call and its results: the conversation a client sends back after running the tools. */
const toolResultMessages: ChatRequest["messages"] = [
  { role: "user", content: "Weather in Paris and Tokyo?" },
  {
    role: "assistant",
    content: null,
    tool_calls: [
      { id: "call_paris", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } },
      { id: "call_tokyo", type: "function", function: { name: "get_weather", arguments: '{"location":"Tokyo"}' } },
    ],
  },
  { role: "tool", tool_call_id: "call_paris", content: "18°C, sunny" },
  { role: "tool", tool_call_id: "call_tokyo", content: "24°C, cloudy" },
];

const httpsImageUrl = "https://images.example/cat.png";
const imageDataUri = "data:image/png;base64,iVBORw0KGgo=";

const weatherAnswerSchema = {
  type: "object",
  properties: { city: { type: "string" }, temperature_celsius: { type: "number" } },
  required: ["city", "temperature_celsius"],
  additionalProperties: false,
};
/** The answer every `<api>-chat-completion-json-schema.json` recording carries, in its provider's shape. */
const weatherAnswer = { city: "Paris", temperature_celsius: 18 };

type ToolChoice = "auto" | "none" | "required" | "named";
const clientToolChoices: Record<ToolChoice, unknown> = { auto: "auto", none: "none", required: "required", named: { type: "function", function: { name: "get_weather" } } };

/** What one API's adapter must build and map; each body fragment is matched by `expectBodyToMatch`. */
interface ApiExpectations {
  /** The request body with `weatherTool` and the given `tool_choice`. */
  toolChoice: Record<ToolChoice, Record<string, unknown>>;
  /** The request body for `toolResultMessages` (with `weatherTool`). */
  toolResults: Record<string, unknown>;
  /** The request body for a user message of a text part and an image part with this URL; or the parameter a 400 names when the adapter refuses it. */
  images: Record<"httpsUrl" | "dataUri", Record<string, unknown> | { refusedParameter: string }>;
  /** The request body for `response_format` json_schema (with `weatherAnswerSchema`) and json_object. */
  responseFormat: Record<"jsonSchema" | "jsonObject", Record<string, unknown>>;
  /** The provider's documented stop reasons and the finish reason each becomes. */
  stopReasons: readonly (readonly [native: string, finishReason: FinishReason])[];
  /** Puts a native stop reason into a copy of `<api>-chat-completion.json`. */
  withStopReason(json: Record<string, unknown>, native: string): void;
  /** Whether the provider streams a tool call's arguments in pieces; Gemini sends each call whole in one chunk. */
  streamsArgumentsInPieces: boolean;
}

/** OpenAI's chat completions API takes the client's shapes as they are. */
const openAIChatExpectations: ApiExpectations = {
  toolChoice: {
    auto: { tools: [weatherTool], tool_choice: "auto" },
    none: { tools: [weatherTool], tool_choice: "none" },
    required: { tools: [weatherTool], tool_choice: "required" },
    named: { tools: [weatherTool], tool_choice: { type: "function", function: { name: "get_weather" } } },
  },
  toolResults: { messages: toolResultMessages },
  images: {
    httpsUrl: { messages: [{ role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image_url", image_url: { url: httpsImageUrl } }] }] },
    dataUri: { messages: [{ role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image_url", image_url: { url: imageDataUri } }] }] },
  },
  responseFormat: {
    jsonSchema: { response_format: { type: "json_schema", json_schema: { name: "weather", strict: true, schema: weatherAnswerSchema } } },
    jsonObject: { response_format: { type: "json_object" } },
  },
  // https://platform.openai.com/docs/api-reference/chat/object: finish_reason
  stopReasons: [
    ["stop", "stop"],
    ["length", "length"],
    ["tool_calls", "tool_calls"],
    ["content_filter", "content_filter"],
    ["function_call", "tool_calls"],
  ],
  withStopReason(json, native) {
    (json["choices"] as Record<string, unknown>[])[0]!["finish_reason"] = native;
  },
  streamsArgumentsInPieces: true,
};

/** Anthropic's and Bedrock's answer tool for `response_format` (json-response-tool.ts). */
const jsonSchemaToolDescription = "Respond with a JSON object matching the schema.";
const jsonObjectToolDescription = "Respond with a JSON object.";

const apiExpectations: Record<string, ApiExpectations> = {
  openai: openAIChatExpectations,
  "azure-openai": openAIChatExpectations,
  // https://docs.anthropic.com/en/api/messages
  anthropic: {
    toolChoice: {
      auto: { tools: [{ name: "get_weather", description: "Current weather for a city", input_schema: weatherParameters }], tool_choice: { type: "auto" } },
      none: { tool_choice: { type: "none" } },
      required: { tool_choice: { type: "any" } },
      named: { tool_choice: { type: "tool", name: "get_weather" } },
    },
    toolResults: {
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Tokyo?" }] },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "call_paris", name: "get_weather", input: { location: "Paris" } },
            { type: "tool_use", id: "call_tokyo", name: "get_weather", input: { location: "Tokyo" } },
          ],
        },
        // Both results in one user turn, as the API requires after a parallel call.
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_paris", content: "18°C, sunny" },
            { type: "tool_result", tool_use_id: "call_tokyo", content: "24°C, cloudy" },
          ],
        },
      ],
    },
    images: {
      httpsUrl: { messages: [{ role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image", source: { type: "url", url: httpsImageUrl } }] }] },
      dataUri: {
        messages: [{ role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] }],
      },
    },
    responseFormat: {
      jsonSchema: {
        tools: [{ name: jsonResponseToolName, description: jsonSchemaToolDescription, input_schema: weatherAnswerSchema }],
        tool_choice: { type: "tool", name: jsonResponseToolName },
      },
      jsonObject: {
        tools: [{ name: jsonResponseToolName, description: jsonObjectToolDescription, input_schema: { type: "object" } }],
        tool_choice: { type: "tool", name: jsonResponseToolName },
      },
    },
    // https://docs.anthropic.com/en/api/handling-stop-reasons
    stopReasons: [
      ["end_turn", "stop"],
      ["stop_sequence", "stop"],
      ["pause_turn", "stop"],
      ["max_tokens", "length"],
      ["model_context_window_exceeded", "length"],
      ["tool_use", "tool_calls"],
      ["refusal", "content_filter"],
    ],
    withStopReason(json, native) {
      json["stop_reason"] = native;
    },
    streamsArgumentsInPieces: true,
  },
  // https://ai.google.dev/api/generate-content
  gemini: {
    toolChoice: {
      auto: {
        tools: [{ functionDeclarations: [{ name: "get_weather", description: "Current weather for a city", parametersJsonSchema: weatherParameters }] }],
        toolConfig: { functionCallingConfig: { mode: "AUTO" } },
      },
      none: { toolConfig: { functionCallingConfig: { mode: "NONE" } } },
      required: { toolConfig: { functionCallingConfig: { mode: "ANY" } } },
      named: { toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } } },
    },
    toolResults: {
      contents: [
        { role: "user", parts: [{ text: "Weather in Paris and Tokyo?" }] },
        { role: "model", parts: [{ functionCall: { name: "get_weather", args: { location: "Paris" } } }, { functionCall: { name: "get_weather", args: { location: "Tokyo" } } }] },
        // Matched to their calls by function name and order; `response` must be an object.
        {
          role: "user",
          parts: [{ functionResponse: { name: "get_weather", response: { content: "18°C, sunny" } } }, { functionResponse: { name: "get_weather", response: { content: "24°C, cloudy" } } }],
        },
      ],
    },
    images: {
      httpsUrl: { contents: [{ role: "user", parts: [{ text: "What is in this image?" }, { fileData: { mimeType: "image/png", fileUri: httpsImageUrl } }] }] },
      dataUri: { contents: [{ role: "user", parts: [{ text: "What is in this image?" }, { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }] }] },
    },
    responseFormat: {
      jsonSchema: { generationConfig: { responseMimeType: "application/json", responseJsonSchema: weatherAnswerSchema } },
      jsonObject: { generationConfig: { responseMimeType: "application/json", responseJsonSchema: undefined } },
    },
    // https://ai.google.dev/api/generate-content#FinishReason: STOP also ends an answer cut by a stop sequence.
    stopReasons: [
      ["STOP", "stop"],
      ["FINISH_REASON_UNSPECIFIED", "stop"],
      ["OTHER", "stop"],
      ["MAX_TOKENS", "length"],
      ["SAFETY", "content_filter"],
      ["RECITATION", "content_filter"],
      ["LANGUAGE", "content_filter"],
      ["BLOCKLIST", "content_filter"],
      ["PROHIBITED_CONTENT", "content_filter"],
      ["SPII", "content_filter"],
      ["IMAGE_SAFETY", "content_filter"],
      ["IMAGE_PROHIBITED_CONTENT", "content_filter"],
      ["IMAGE_RECITATION", "content_filter"],
      ["MALFORMED_FUNCTION_CALL", "error"],
      ["UNEXPECTED_TOOL_CALL", "error"],
      ["TOO_MANY_TOOL_CALLS", "error"],
      ["MISSING_THOUGHT_SIGNATURE", "error"],
    ],
    withStopReason(json, native) {
      (json["candidates"] as Record<string, unknown>[])[0]!["finishReason"] = native;
    },
    streamsArgumentsInPieces: false,
  },
  // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
  bedrock: {
    toolChoice: {
      auto: {
        toolConfig: { tools: [{ toolSpec: { name: "get_weather", description: "Current weather for a city", inputSchema: { json: weatherParameters } } }], toolChoice: { auto: {} } },
      },
      // Converse has no "none": the tools are left out.
      none: { toolConfig: undefined },
      required: { toolConfig: { toolChoice: { any: {} } } },
      named: { toolConfig: { toolChoice: { tool: { name: "get_weather" } } } },
    },
    toolResults: {
      messages: [
        { role: "user", content: [{ text: "Weather in Paris and Tokyo?" }] },
        {
          role: "assistant",
          content: [
            { toolUse: { toolUseId: "call_paris", name: "get_weather", input: { location: "Paris" } } },
            { toolUse: { toolUseId: "call_tokyo", name: "get_weather", input: { location: "Tokyo" } } },
          ],
        },
        {
          role: "user",
          content: [{ toolResult: { toolUseId: "call_paris", content: [{ text: "18°C, sunny" }] } }, { toolResult: { toolUseId: "call_tokyo", content: [{ text: "24°C, cloudy" }] } }],
        },
      ],
    },
    images: {
      // Converse takes image bytes or an S3 location, never an HTTP URL; the adapter does not fetch it.
      httpsUrl: { refusedParameter: "messages.0.content.1" },
      dataUri: { messages: [{ role: "user", content: [{ text: "What is in this image?" }, { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } }] }] },
    },
    responseFormat: {
      jsonSchema: {
        toolConfig: {
          tools: [{ toolSpec: { name: jsonResponseToolName, description: jsonSchemaToolDescription, inputSchema: { json: weatherAnswerSchema } } }],
          toolChoice: { tool: { name: jsonResponseToolName } },
        },
      },
      jsonObject: {
        toolConfig: {
          tools: [{ toolSpec: { name: jsonResponseToolName, description: jsonObjectToolDescription, inputSchema: { json: { type: "object" } } } }],
          toolChoice: { tool: { name: jsonResponseToolName } },
        },
      },
    },
    // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax: stopReason
    stopReasons: [
      ["end_turn", "stop"],
      ["stop_sequence", "stop"],
      ["max_tokens", "length"],
      ["model_context_window_exceeded", "length"],
      ["tool_use", "tool_calls"],
      ["guardrail_intervened", "content_filter"],
      ["content_filtered", "content_filter"],
    ],
    withStopReason(json, native) {
      json["stopReason"] = native;
    },
    streamsArgumentsInPieces: true,
  },
};

/** One tool call as a client rebuilds it from the parts: deltas of one index form one call. */
interface ReassembledToolCall {
  index: number;
  id: string | undefined;
  name: string | undefined;
  arguments: string;
  /** How many deltas carried a piece of the arguments. */
  argumentPieces: number;
}

function toolCalls(parts: readonly UnnumberedStreamPart[]): ReassembledToolCall[] {
  const calls: ReassembledToolCall[] = [];
  for (const part of parts) {
    if (part.type !== "tool-call-delta") continue;
    let call = calls.find((candidate) => candidate.index === part.index);
    if (call === undefined) {
      // The id and name come with a call's first delta, so a client can show the call as it starts.
      expect(part.id).toBeDefined();
      expect(part.name).toBeDefined();
      call = { index: part.index, id: part.id, name: part.name, arguments: "", argumentPieces: 0 };
      calls.push(call);
    } else if (part.id !== undefined) {
      expect(part.id).toBe(call.id);
    }
    call.arguments += part.argumentsDelta;
    if (part.argumentsDelta !== "") call.argumentPieces += 1;
  }
  return calls;
}

/** The calls of the `get_weather` recordings: two parallel calls, indexed 0 and 1, with distinct ids and JSON object arguments. */
function expectTwoParallelWeatherCalls(calls: readonly ReassembledToolCall[]): void {
  expect(calls.map((call) => call.index)).toEqual([0, 1]);
  expect(calls.map((call) => call.name)).toEqual(["get_weather", "get_weather"]);
  for (const call of calls) {
    expect(typeof call.id === "string" && call.id !== "").toBe(true);
    expect(JSON.parse(call.arguments)).toEqual({ location: expect.any(String) });
  }
  expect(new Set(calls.map((call) => call.id)).size).toBe(2);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A fragment without its keys set to undefined, which `toMatchObject` would want present. */
function definedOnly(fragment: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fragment).filter(([, value]) => value !== undefined).map(([key, value]) => [key, isPlainObject(value) ? definedOnly(value) : value]));
}

/** `toMatchObject` (arrays whole, objects as subsets), where a key the fragment sets to undefined must be absent from the body. */
function expectBodyToMatch(body: unknown, fragment: Record<string, unknown>): void {
  expect(body).toMatchObject(definedOnly(fragment));
  for (const [key, value] of Object.entries(fragment)) {
    const received = (body as Record<string, unknown>)[key];
    if (value === undefined) expect(received).toBeUndefined();
    else if (isPlainObject(value)) expectBodyToMatch(received, value);
  }
}

const requestInput = (body: Omit<ChatRequest, "model">) => ({
  body: { model: "catalog/model", ...body } as ChatRequest,
  upstreamModel: "upstream-model-7",
  stream: false,
  maxCompletionTokens: 1_000,
  baseUrl: conformanceBaseUrl,
});

function buildRequest(adapter: ProviderAdapter, body: Omit<ChatRequest, "model">): UpstreamRequest {
  return adapter.toUpstreamRequest(requestInput(body));
}

describe.each([...providerRegistry.entries()])("adapter %s", (api, adapter) => {
  it("builds a request for the upstream model that carries the output cap", () => {
    const request = adapter.toUpstreamRequest({
      body: { model: "catalog/model", messages: [{ role: "user", content: "Hi" }] },
      upstreamModel: "upstream-model-7",
      stream: true,
      maxCompletionTokens: 321,
      baseUrl: conformanceBaseUrl,
    });
    expect(request.url.startsWith("https://bedrock-runtime.us-east-1.provider.example/api-root/")).toBe(true);
    expect(new URL(request.url).searchParams.get("tenant")).toBe("7");
    const serialized = JSON.stringify(request.body);
    expect(`${request.url} ${serialized}`).toContain("upstream-model-7");
    expect(serialized).not.toContain("catalog/model");
    expect(serialized).toContain("321");
    // The transport applies the key: an adapter never sees it, so it cannot leak it into a header or body.
    expect(["bearer", "header", "none", "signature"]).toContain(request.credential.scheme);
    expect(request.warnings).toEqual([]);
  });

  it("names, without their values, the client parameters it did not send", () => {
    const request = adapter.toUpstreamRequest({
      body: { model: "catalog/model", messages: [{ role: "user", content: "Hi" }], some_future_parameter: "secret value" },
      upstreamModel: "upstream-model-7",
      stream: false,
      maxCompletionTokens: null,
      baseUrl: conformanceBaseUrl,
    });
    expect(request.warnings).toEqual([{ type: "unsupported-parameter", parameter: "some_future_parameter" }]);
    expect(JSON.stringify(request)).not.toContain("secret value");
  });

  it("declares a stream framing the transport parses", () => {
    expect(Object.values(streamFramings)).toContain(adapter.streamFraming);
  });

  it("sends no output cap when there is none, even if the client set one", () => {
    const request = adapter.toUpstreamRequest({
      body: { model: "catalog/model", messages: [{ role: "user", content: "Hi" }], max_tokens: 4_321, max_completion_tokens: 4_321 },
      upstreamModel: "upstream-model-7",
      stream: false,
      maxCompletionTokens: null,
      baseUrl: conformanceBaseUrl,
    });
    expect(JSON.stringify(request.body)).not.toContain("4321");
  });

  it("knows its recorded stream is complete, and the same stream cut before the finish is not", async () => {
    const transcript = await streamFixture(api, adapter, "text");
    expect((await replayStreamWithState(adapter, transcript)).complete).toBe(true);

    const events: UpstreamStreamEvent[] = [];
    async function* whole() {
      yield transcript;
    }
    for await (const event of readUpstreamStream(whole(), adapter.streamFraming)) events.push(event);
    const probe = adapter.createStreamState();
    const finishIndex = events.findIndex((event) => adapter.fromUpstreamStreamEvent(event, probe).some((part) => part.type === "finish"));
    expect(finishIndex).toBeGreaterThan(0);

    const cut = adapter.createStreamState();
    const parts = events.slice(0, finishIndex).flatMap((event) => adapter.fromUpstreamStreamEvent(event, cut));
    expect(parts.some((part) => part.type === "text-delta")).toBe(true);
    expect(adapter.isStreamComplete(cut)).toBe(false);
  });

  it("turns its recorded text stream into stream-start … finish, usage", async () => {
    expectWellFormedGeneration(await replayStream(adapter, await streamFixture(api, adapter, "text")));
  });

  const expectations = apiExpectations[api];

  it("has its tools, images, response format and stop reasons stated in the suite's expectation table", () => {
    expect(expectations).toBeDefined();
  });

  it("turns its recorded tool-call stream into two parallel calls, each with its index, id and arguments reassembled from the deltas", async () => {
    const parts = await replayStream(adapter, await streamFixture(api, adapter, "tool-calls"));
    expectWellFormedGeneration(parts);
    expect(parts.find((part) => part.type === "finish")).toMatchObject({ finishReason: "tool_calls", nativeFinishReason: expect.any(String) });
    const calls = toolCalls(parts);
    expectTwoParallelWeatherCalls(calls);
    if (expectations!.streamsArgumentsInPieces) for (const call of calls) expect(call.argumentPieces).toBeGreaterThan(1);
  });

  it("turns its recorded whole tool-call answer into the same calls as the stream, arguments as JSON strings", async () => {
    const streamed = await replayStream(adapter, await streamFixture(api, adapter, "tool-calls"));
    const { parts: whole } = adapter.fromUpstreamResponse(JSON.parse(await fixture(`${api}-chat-completion-tool-calls.json`)));
    expectWellFormedGeneration(whole);
    const wholeCalls = toolCalls(whole);
    expectTwoParallelWeatherCalls(wholeCalls);
    // Ids are the provider's (or minted from the response id where it sends none), so the same answer gives the same ids.
    const comparable = (calls: readonly ReassembledToolCall[]) => calls.map((call) => ({ index: call.index, id: call.id, name: call.name, arguments: JSON.parse(call.arguments) as unknown }));
    expect(comparable(wholeCalls)).toEqual(comparable(toolCalls(streamed)));
    expect(text(whole)).toBe(text(streamed));
    expect(whole.find((part) => part.type === "finish")).toEqual(streamed.find((part) => part.type === "finish"));
  });

  it.each(Object.keys(clientToolChoices) as ToolChoice[])("sends the client's tools with tool_choice %s in its provider's shape", (choice) => {
    const request = buildRequest(adapter, { messages: [{ role: "user", content: "Weather in Paris?" }], tools: [weatherTool], tool_choice: clientToolChoices[choice] });
    expect(request.warnings).toEqual([]);
    expectBodyToMatch(request.body, expectations!.toolChoice[choice]);
  });

  it("sends an assistant's parallel tool calls and their tool results in its provider's shape", () => {
    const request = buildRequest(adapter, { messages: toolResultMessages, tools: [weatherTool] });
    expect(request.warnings).toEqual([]);
    expectBodyToMatch(request.body, expectations!.toolResults);
  });

  it.each([
    ["an https URL", "httpsUrl", httpsImageUrl],
    ["a data URI", "dataUri", imageDataUri],
  ] as const)("sends an image given as %s as its provider's image block, or refuses it naming the part", (_label, key, url) => {
    const build = () =>
      buildRequest(adapter, { messages: [{ role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image_url", image_url: { url } }] }] });
    const expected = expectations!.images[key];
    if ("refusedParameter" in expected) {
      let thrown: unknown;
      try {
        build();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SwitchboardError);
      expect((thrown as SwitchboardError).error).toMatchObject({
        code: gatewayErrorCodes.unsupportedParameter,
        status: 400,
        retryable: false,
        metadata: { parameter: expected.refusedParameter },
      });
    } else {
      const request = build();
      expect(request.warnings).toEqual([]);
      expectBodyToMatch(request.body, expected);
    }
  });

  it.each([
    ["json_schema", "jsonSchema", { type: "json_schema", json_schema: { name: "weather", strict: true, schema: weatherAnswerSchema } }],
    ["json_object", "jsonObject", { type: "json_object" }],
  ] as const)("asks its provider for a %s answer through the provider's own mechanism", (_label, key, responseFormat) => {
    const request = buildRequest(adapter, { messages: [{ role: "user", content: "Weather in Paris as JSON" }], response_format: responseFormat });
    expect(request.warnings).toEqual([]);
    expectBodyToMatch(request.body, expectations!.responseFormat[key]);
  });

  it("returns its recorded json_schema answer as the message text, finished as a plain answer", async () => {
    const { parts } = adapter.fromUpstreamResponse(JSON.parse(await fixture(`${api}-chat-completion-json-schema.json`)));
    expectWellFormedGeneration(parts);
    expect(JSON.parse(text(parts))).toEqual(weatherAnswer);
    expect(parts.some((part) => part.type === "tool-call-delta")).toBe(false);
    expect(parts.find((part) => part.type === "finish")).toMatchObject({ finishReason: "stop" });
  });

  it.runIf(existsSync(new URL(`./__fixtures__/${api}-stream-json-schema.${streamFixtureExtensions[adapter.streamFraming]}`, import.meta.url)))(
    "streams its json_schema answer as the message text, with the finish and usage of the whole answer",
    async () => {
      const streamed = await replayStream(adapter, await streamFixture(api, adapter, "json-schema"));
      const { parts: whole } = adapter.fromUpstreamResponse(JSON.parse(await fixture(`${api}-chat-completion-json-schema.json`)));
      expectWellFormedGeneration(streamed);
      expect(JSON.parse(text(streamed))).toEqual(weatherAnswer);
      expect(streamed.some((part) => part.type === "tool-call-delta")).toBe(false);
      expect(streamed.slice(-2)).toEqual(whole.slice(-2));
    },
  );

  it.each(expectations?.stopReasons ?? [])("maps its native stop reason %s to finish_reason %s, keeping the native value", async (native, finishReason) => {
    const json = JSON.parse(await fixture(`${api}-chat-completion.json`)) as Record<string, unknown>;
    expectations!.withStopReason(json, native);
    const { parts } = adapter.fromUpstreamResponse(json);
    expectWellFormedGeneration(parts);
    expect(parts.find((part) => part.type === "finish")).toEqual({ type: "finish", finishReason, nativeFinishReason: native });
  });

  it("produces the same text, finish and usage from the streamed and the whole recording", async () => {
    const streamed = await replayStream(adapter, await streamFixture(api, adapter, "text"));
    const { parts: whole } = adapter.fromUpstreamResponse(JSON.parse(await fixture(`${api}-chat-completion.json`)));
    expectWellFormedGeneration(whole);
    expect(text(streamed)).not.toBe("");
    expect(text(whole)).toBe(text(streamed));
    expect(whole.slice(-2)).toEqual(streamed.slice(-2));
  });

  it.runIf(existsSync(new URL(`./__fixtures__/${api}-chat-completion-reasoning.json`, import.meta.url)))(
    "returns the same reasoning text and reasoning_details from its streamed and whole reasoning recordings",
    async () => {
      const streamed = await replayStream(adapter, await streamFixture(api, adapter, "reasoning"));
      const { parts: whole } = adapter.fromUpstreamResponse(JSON.parse(await fixture(`${api}-chat-completion-reasoning.json`)));
      expectWellFormedGeneration(streamed);
      expectWellFormedGeneration(whole);
      expect(reasoningText(streamed)).not.toBe("");
      expect(reasoningText(whole)).toBe(reasoningText(streamed));
      const details = reasoningDetails(whole);
      // Something to send back: signed text or an encrypted entry, each attributed to its provider's format.
      expect(details.some((detail) => (detail.type === "reasoning.text" && typeof detail.signature === "string") || detail.type === "reasoning.encrypted")).toBe(true);
      expect(details.every((detail) => typeof detail.format === "string")).toBe(true);
      expect(reasoningDetails(streamed)).toEqual(details);
      expect(whole.slice(-2)).toEqual(streamed.slice(-2));
    },
  );

  it("asks the provider for the same reasoning whether or not the client excludes its text, which the connector hides afterwards", () => {
    // Thinking must reach the connector as output (hidden-reasoning-delta) so a failure while thinking does not fall back
    // and a cancel while thinking is charged; a provider told not to return thoughts would think unseen.
    const build = (reasoning: Record<string, unknown>) =>
      adapter.toUpstreamRequest({
        body: { model: "catalog/model", messages: [{ role: "user", content: "Hi" }], reasoning },
        upstreamModel: "upstream-model-7",
        stream: true,
        maxCompletionTokens: 8_000,
        baseUrl: conformanceBaseUrl,
      });
    for (const reasoning of [{ max_tokens: 2_048 }, { effort: "high" }]) {
      const shown = build(reasoning);
      const hidden = build({ ...reasoning, exclude: true });
      expect(hidden.body).toEqual(shown.body);
      expect(hidden.warnings).toEqual(shown.warnings);
    }
  });

  it.runIf(existsSync(new URL(`./__fixtures__/${api}-chat-completion-reasoning.json`, import.meta.url)))(
    "under reasoning.exclude, turns its reasoning recording's text into hidden-reasoning-delta parts and keeps what is sent back",
    async () => {
      const streamed = await replayStream(adapter, await streamFixture(api, adapter, "reasoning"));
      const hidden = hideReasoningText(streamed);
      expectWellFormedGeneration(hidden);
      expect(hidden.some((part) => part.type === "reasoning-delta")).toBe(false);
      expect(hidden.filter((part) => part.type === "hidden-reasoning-delta")).toHaveLength(streamed.filter((part) => part.type === "reasoning-delta").length);
      const details = reasoningDetails(hidden);
      expect(details.length).toBeGreaterThan(0);
      expect(details.every((detail) => detail.type === "reasoning.encrypted" || (detail.type === "reasoning.text" && detail.text === undefined && typeof detail.signature === "string"))).toBe(true);
    },
  );

  it("classifies provider errors by status", async () => {
    expect(adapter.fromUpstreamError(400, await fixture(`${api}-error-body.json`))).toMatchObject({
      code: gatewayErrorCodes.invalidRequest,
      status: 400,
      retryable: false,
    });
    expect(adapter.fromUpstreamError(429, "")).toMatchObject({ code: gatewayErrorCodes.upstreamRateLimited, retryable: true });
    expect(adapter.fromUpstreamError(500, "")).toMatchObject({ code: gatewayErrorCodes.upstreamError, status: 502, retryable: true });
    expect(adapter.fromUpstreamError(401, "")).toMatchObject({ code: gatewayErrorCodes.upstreamError, status: 502, retryable: false });
  });

  it.each(Object.entries(expectedErrorClasses))("maps its documented %s answer to the right error, keeping the provider's message", async (errorClass, expected) => {
    const fixtureOfClass = (await errorClassFixtures(api))[errorClass as keyof typeof expectedErrorClasses];
    const error = adapter.fromUpstreamError(fixtureOfClass.status, fixtureOfClass.body);
    expect(error).toMatchObject(expected);
    expect(error.metadata?.["raw"]).toBe(fixtureOfClass.raw);
  });

  it("throws a retryable error carrying the provider's message for an error event inside a stream", async () => {
    const { event, raw } = (await errorClassFixtures(api))["stream-error"];
    const state = adapter.createStreamState();
    let thrown: unknown;
    try {
      adapter.fromUpstreamStreamEvent(event, state);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwitchboardError);
    expect((thrown as SwitchboardError).error).toMatchObject({ retryable: true, metadata: { raw } });
  });
});
