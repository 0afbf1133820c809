import { gatewayError, gatewayErrorCodes, reasoningFormats, SwitchboardError, type UnnumberedStreamPart } from "@switchboard/contracts";
import { jsonResponseToolName } from "../json-response-tool.js";
import type { MappedFinishReason } from "../openai-compatible/map-openai-finish-reason.js";
import { buildUpstreamUrl } from "../build-upstream-url.js";
import { mapUpstreamErrorStatus } from "../map-upstream-error-status.js";
import type { ProviderAdapter, UpstreamRequest, UpstreamRequestInput, UpstreamStreamEvent } from "../provider-adapter.js";
import { streamFramings } from "../stream-framing.js";
import { anthropicErrorBodySchema, anthropicMessageSchema, anthropicStreamEventSchema, type AnthropicContentBlock, type AnthropicUsage } from "./anthropic-api-schemas.js";
import { convertAnthropicUsage } from "./convert-anthropic-usage.js";
import { convertToAnthropicRequest } from "./convert-to-anthropic-request.js";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason.js";

const providerLabel = "Anthropic";

/**
 * The API version header a request carries when the provider's catalog entry pins none with `api_version`
 * (https://docs.anthropic.com/en/api/versioning).
 */
export const anthropicApiVersion = "2023-06-01";

/** Per-generation stream state of the Anthropic adapter. */
export interface AnthropicStreamState {
  started: boolean;
  finished: boolean;
  /** Set by `message_stop`; anything after it is ignored. */
  stopped: boolean;
  /** The prompt side of usage, from `message_start` (or a later `message_delta` that repeats it). */
  inputUsage: AnthropicUsage | null;
  /** Content block index → OpenAI tool call index, for tool_use blocks only (text blocks share the numbering). */
  toolCallIndexes: Map<number, number>;
  /** Content block index → `reasoning_details` index, for thinking and redacted_thinking blocks. */
  reasoningIndexes: Map<number, number>;
  /** Content block indexes of the JSON response tool's calls, whose input is the answer's text. */
  jsonAnswerBlocks: Set<number>;
}

/**
 * A thinking block (whole, or as it starts in a stream) as reasoning parts: its text with the
 * `reasoning_details` entry it belongs to, its signature, or a redacted block's encrypted data.
 */
function reasoningPartsOf(block: AnthropicContentBlock, index: number): UnnumberedStreamPart[] {
  const format = reasoningFormats.anthropic;
  if (block.type === "redacted_thinking") {
    return block.data ? [{ type: "reasoning-detail", detail: { type: "reasoning.encrypted", data: block.data, format, index } }] : [];
  }
  const parts: UnnumberedStreamPart[] = [];
  if (block.thinking) parts.push({ type: "reasoning-delta", text: block.thinking, detail: { type: "reasoning.text", text: block.thinking, format, index } });
  if (block.signature) parts.push({ type: "reasoning-detail", detail: { type: "reasoning.text", signature: block.signature, format, index } });
  return parts;
}

/**
 * The finish of an answer: an answer given through the JSON response tool alone is a plain answer
 * (`stop`), though Anthropic stopped for a tool call.
 */
function finishOf(stopReason: string | null | undefined, answeredThroughJsonTool: boolean, clientToolCalls: number): MappedFinishReason {
  const mapped = mapAnthropicStopReason(stopReason);
  return answeredThroughJsonTool && clientToolCalls === 0 && mapped.finishReason === "tool_calls" ? { ...mapped, finishReason: "stop" } : mapped;
}

function malformed(detail: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider (${providerLabel} API) sent a malformed response: ${detail}`, { retryable: true }),
  );
}

/**
 * An error event inside an HTTP 200 stream (https://docs.anthropic.com/en/api/errors): `overloaded_error`
 * and `api_error` are Anthropic's 529 and 500, retryable; anything else is treated as its 400.
 */
function streamError(type: string | null | undefined, message: string | null | undefined): SwitchboardError {
  const status = type === "overloaded_error" ? 529 : type === "api_error" ? 500 : type === "rate_limit_error" ? 429 : 400;
  return new SwitchboardError(
    mapUpstreamErrorStatus({ status, providerLabel, providerMessage: message ?? "error inside the stream", ...(type ? { providerCode: type } : {}) }),
  );
}

/** Anthropic's Messages API (https://docs.anthropic.com/en/api/messages): `x-api-key`, `anthropic-version`, `/v1/messages` below a version-less base URL. */
export const anthropicAdapter: ProviderAdapter<AnthropicStreamState> = {
  streamFraming: streamFramings.serverSentEvents,

  toUpstreamRequest(input: UpstreamRequestInput): UpstreamRequest {
    const apiVersion = input.apiVersion ?? anthropicApiVersion;
    const { body, warnings } = convertToAnthropicRequest(input.body, {
      upstreamModel: input.upstreamModel,
      stream: input.stream,
      maxCompletionTokens: input.maxCompletionTokens,
      apiVersion,
    });
    return {
      url: buildUpstreamUrl(input.baseUrl, "/v1/messages"),
      headers: {
        "content-type": "application/json",
        accept: input.stream ? "text/event-stream" : "application/json",
        "anthropic-version": apiVersion,
      },
      body,
      credential: { scheme: "header", headerName: "x-api-key" },
      warnings,
    };
  },

  fromUpstreamResponse(json: unknown) {
    const parsed = anthropicMessageSchema.safeParse(json);
    if (!parsed.success) throw malformed("unexpected message shape");
    const message = parsed.data;
    const parts: UnnumberedStreamPart[] = [{ type: "stream-start", upstreamId: message.id ?? null }];
    let toolCallIndex = 0;
    let reasoningIndex = 0;
    let answeredThroughJsonTool = false;
    for (const block of message.content) {
      if (block.type === "thinking" || block.type === "redacted_thinking") parts.push(...reasoningPartsOf(block, reasoningIndex++));
      else if (block.type === "text" && block.text) parts.push({ type: "text-delta", text: block.text });
      else if (block.type === "tool_use" && block.name === jsonResponseToolName) {
        answeredThroughJsonTool = true;
        parts.push({ type: "text-delta", text: JSON.stringify(block.input ?? {}) });
      } else if (block.type === "tool_use") {
        parts.push({
          type: "tool-call-delta",
          index: toolCallIndex++,
          ...(block.id ? { id: block.id } : {}),
          ...(block.name ? { name: block.name } : {}),
          argumentsDelta: JSON.stringify(block.input ?? {}),
        });
      }
    }
    parts.push({ type: "finish", ...finishOf(message.stop_reason, answeredThroughJsonTool, toolCallIndex) });
    const usage = convertAnthropicUsage(message.usage, message.usage);
    if (usage) parts.push({ type: "usage", usage });
    return { parts };
  },

  createStreamState(): AnthropicStreamState {
    return { started: false, finished: false, stopped: false, inputUsage: null, toolCallIndexes: new Map(), reasoningIndexes: new Map(), jsonAnswerBlocks: new Set() };
  },

  fromUpstreamStreamEvent(event: UpstreamStreamEvent, state: AnthropicStreamState) {
    if (state.stopped) return [];
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      throw malformed("a stream event is not JSON");
    }
    const parsed = anthropicStreamEventSchema.safeParse(json);
    // Event types added after this adapter was written are skipped, as Anthropic's versioning policy asks.
    if (!parsed.success) {
      if (typeof json === "object" && json !== null && typeof (json as { type?: unknown }).type === "string") return [];
      throw malformed("unexpected stream event shape");
    }
    const data = parsed.data;
    switch (data.type) {
      case "message_start":
        state.inputUsage = data.message.usage ?? null;
        if (state.started) return [];
        state.started = true;
        return [{ type: "stream-start", upstreamId: data.message.id ?? null }];
      case "content_block_start": {
        const block = data.content_block;
        if (block.type === "thinking" || block.type === "redacted_thinking") {
          const index = state.reasoningIndexes.size;
          state.reasoningIndexes.set(data.index, index);
          return reasoningPartsOf(block, index);
        }
        if (block.type === "tool_use" && block.name === jsonResponseToolName) {
          state.jsonAnswerBlocks.add(data.index);
          return [];
        }
        if (block.type === "tool_use") {
          const index = state.toolCallIndexes.size;
          state.toolCallIndexes.set(data.index, index);
          return [{ type: "tool-call-delta", index, ...(block.id ? { id: block.id } : {}), ...(block.name ? { name: block.name } : {}), argumentsDelta: "" }];
        }
        if (block.type === "text" && block.text) return [{ type: "text-delta", text: block.text }];
        return [];
      }
      case "content_block_delta": {
        const delta = data.delta;
        if (delta.type === "text_delta" && delta.text) return [{ type: "text-delta", text: delta.text }];
        if (delta.type === "thinking_delta" || delta.type === "signature_delta") {
          const index = state.reasoningIndexes.get(data.index);
          if (index === undefined) throw malformed("a thinking delta for a block that is not a thinking block");
          return reasoningPartsOf({ type: "thinking", thinking: delta.thinking, signature: delta.signature }, index);
        }
        if (delta.type === "input_json_delta" && delta.partial_json && state.jsonAnswerBlocks.has(data.index)) return [{ type: "text-delta", text: delta.partial_json }];
        if (delta.type === "input_json_delta" && delta.partial_json) {
          const index = state.toolCallIndexes.get(data.index);
          if (index === undefined) throw malformed("tool input for a block that is not a tool_use");
          return [{ type: "tool-call-delta", index, argumentsDelta: delta.partial_json }];
        }
        // citations_delta, ...: nothing the OpenAI shape carries yet.
        return [];
      }
      case "message_delta": {
        if (state.finished) return [];
        state.finished = true;
        // Newer API versions repeat the input counts in message_delta; they are then the final ones.
        const inputUsage = data.usage?.input_tokens !== null && data.usage?.input_tokens !== undefined ? data.usage : state.inputUsage;
        const usage = convertAnthropicUsage(inputUsage, data.usage);
        const finish = finishOf(data.delta.stop_reason, state.jsonAnswerBlocks.size > 0, state.toolCallIndexes.size);
        return [{ type: "finish", ...finish }, ...(usage ? [{ type: "usage" as const, usage }] : [])];
      }
      case "message_stop":
        state.stopped = true;
        return [];
      case "error":
        throw streamError(data.error.type, data.error.message);
      case "content_block_stop":
      case "ping":
        return [];
    }
  },

  isStreamComplete(state: AnthropicStreamState) {
    // message_delta carries the stop reason and the final usage; message_stop only closes the message.
    return state.stopped || state.finished;
  },

  fromUpstreamError(status: number, bodyText: string) {
    let providerMessage = bodyText;
    let providerCode: string | undefined;
    try {
      const parsed = anthropicErrorBodySchema.safeParse(JSON.parse(bodyText));
      if (parsed.success) {
        providerMessage = parsed.data.error.message ?? bodyText;
        providerCode = parsed.data.error.type ?? undefined;
      }
    } catch {
      // Not JSON (a proxy's HTML page): the raw text is all we have.
    }
    return mapUpstreamErrorStatus({ status, providerLabel, providerMessage, ...(providerCode !== undefined ? { providerCode } : {}) });
  },
};
