import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { gatewayErrorCodes, SwitchboardError, streamPartSchema, type GatewayError, type ReasoningDetail, type UnnumberedStreamPart } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { readUpstreamStream } from "../transport/read-upstream-stream.js";
import type { ProviderAdapter, UpstreamStreamEvent } from "./provider-adapter.js";
import { providerRegistry } from "./registry.js";
import { streamFramings, type StreamFraming } from "./stream-framing.js";

/**
 * The behaviour every registered adapter must show, run over the registry (kysely's `for (const dialect
 * of DIALECTS)`). Each adapter ships, in `__fixtures__/`, recordings named after its `api`:
 * `<api>-chat-completion.json`, `<api>-stream-text.<framing>` (the same answer streamed, with usage),
 * `<api>-stream-tool-calls.<framing>` and `<api>-error-body.json` (a 4xx body), where the stream
 * recordings are `.sse` for server-sent events and `.eventstream` (binary) for AWS event streams; and
 * `<api>-error-classes.json`, the provider's documented error body for each error class below plus one
 * error event inside a stream, with the message the client must see as `metadata.raw`. An adapter whose
 * provider returns its reasoning also ships `<api>-chat-completion-reasoning.json` and
 * `<api>-stream-reasoning.<framing>`, the same reasoning answer whole and streamed.
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
function streamFixture(api: string, adapter: ProviderAdapter, name: "text" | "tool-calls" | "reasoning"): Promise<Buffer> {
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

  it("turns its recorded tool-call stream into stream-start … tool-call deltas … finish, usage", async () => {
    const parts = await replayStream(adapter, await streamFixture(api, adapter, "tool-calls"));
    expectWellFormedGeneration(parts);
    const finish = parts.find((part) => part.type === "finish");
    expect(finish).toMatchObject({ finishReason: "tool_calls" });
    expect(parts.some((part) => part.type === "tool-call-delta" && part.id !== undefined && part.name !== undefined)).toBe(true);
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
