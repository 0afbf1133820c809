import { gatewayError, gatewayErrorCodes, reasoningFormats, SwitchboardError, type UnnumberedStreamPart } from "@switchboard/contracts";
import { jsonResponseToolName } from "../json-response-tool.js";
import type { MappedFinishReason } from "../openai-compatible/map-openai-finish-reason.js";
import { buildUpstreamUrl } from "../build-upstream-url.js";
import { mapUpstreamErrorStatus } from "../map-upstream-error-status.js";
import type { ProviderAdapter, UpstreamRequest, UpstreamRequestInput, UpstreamStreamEvent } from "../provider-adapter.js";
import { streamFramings } from "../stream-framing.js";
import { bedrockConverseResponseSchema, bedrockErrorBodySchema, bedrockStreamPayloadSchemas } from "./bedrock-api-schemas.js";
import { convertBedrockUsage } from "./convert-bedrock-usage.js";
import { convertToBedrockRequest } from "./convert-to-bedrock-request.js";
import { bedrockPlaceholderToolName } from "./bedrock-placeholder-tool.js";
import { bedrockRegionOf } from "./bedrock-region-of.js";
import { mapBedrockStopReason } from "./map-bedrock-stop-reason.js";

const providerLabel = "Bedrock";

/** Per-generation stream state of the Bedrock adapter. */
export interface BedrockStreamState {
  started: boolean;
  finished: boolean;
  /** Content block index → OpenAI tool call index, for toolUse blocks only. */
  toolCallIndexes: Map<number, number>;
  /** Content block index → `reasoning_details` index, for reasoning blocks. */
  reasoningIndexes: Map<number, number>;
  /** Content block indexes of the JSON response tool's calls, whose input is the answer's text. */
  jsonAnswerBlocks: Set<number>;
  /** Content block indexes of calls of the placeholder tool, which the client never sees. */
  placeholderBlocks: Set<number>;
}

/** Reasoning content (a whole block or a stream delta) as parts; the signatures are Anthropic's, as only its models reason here. */
function reasoningPartsOf(reasoning: { text?: string | null; signature?: string | null; redactedContent?: string | null }, index: number): UnnumberedStreamPart[] {
  const format = reasoningFormats.anthropic;
  const parts: UnnumberedStreamPart[] = [];
  if (reasoning.text) parts.push({ type: "reasoning-delta", text: reasoning.text, detail: { type: "reasoning.text", text: reasoning.text, format, index } });
  if (reasoning.signature) parts.push({ type: "reasoning-detail", detail: { type: "reasoning.text", signature: reasoning.signature, format, index } });
  if (reasoning.redactedContent) parts.push({ type: "reasoning-detail", detail: { type: "reasoning.encrypted", data: reasoning.redactedContent, format, index } });
  return parts;
}

/**
 * An answer that called only Switchboard's own tools (the JSON response tool, whose input is the answer, or
 * the placeholder, whose call is dropped) is a plain answer, though the model stopped for a tool.
 */
function finishOf(stopReason: string | null | undefined, calledOwnTool: boolean, clientToolCalls: number): MappedFinishReason {
  const mapped = mapBedrockStopReason(stopReason);
  return calledOwnTool && clientToolCalls === 0 && mapped.finishReason === "tool_calls" ? { ...mapped, finishReason: "stop" } : mapped;
}

function malformed(detail: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider (${providerLabel} API) sent a malformed response: ${detail}`, { retryable: true }),
  );
}

/** Bedrock's exceptions inside a stream (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html) by the HTTP status they stand for. */
const streamExceptionStatuses: Record<string, number> = {
  throttlingException: 429,
  serviceUnavailableException: 503,
  internalServerException: 500,
  modelStreamErrorException: 500,
  validationException: 400,
};

function parsePayload<Schema extends (typeof bedrockStreamPayloadSchemas)[keyof typeof bedrockStreamPayloadSchemas]>(schema: Schema, data: string) {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw malformed("a stream event is not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw malformed("unexpected stream event shape");
  return parsed.data as ReturnType<Schema["parse"]>;
}

function messageOf(text: string): string {
  try {
    const parsed = bedrockErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.message ?? parsed.data.Message ?? text;
  } catch {
    // Not JSON: the raw text is all we have.
  }
  return text;
}

/**
 * Amazon Bedrock's Converse API (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html):
 * `/model/{modelId}/converse` and `/converse-stream` below `https://bedrock-runtime.<region>.amazonaws.com`
 * (or whatever base URL the catalog gives with its `region`), signed with AWS SigV4 by the transport for
 * that region, streams in AWS's event-stream framing.
 */
export const bedrockAdapter: ProviderAdapter<BedrockStreamState> = {
  streamFraming: streamFramings.awsEventStream,

  toUpstreamRequest(input: UpstreamRequestInput): UpstreamRequest {
    // The catalog's region, when set, lets base_url be any address (a proxy, a VPC endpoint without the region in its name).
    const region = input.region ?? bedrockRegionOf(input.baseUrl);
    const { body, warnings } = convertToBedrockRequest(input.body, { maxCompletionTokens: input.maxCompletionTokens, upstreamModel: input.upstreamModel });
    // Model ids hold ":" (anthropic.claude-3-haiku-20240307-v1:0), which the path must carry encoded.
    const path = `/model/${encodeURIComponent(input.upstreamModel)}/${input.stream ? "converse-stream" : "converse"}`;
    return {
      url: buildUpstreamUrl(input.baseUrl, path),
      headers: { "content-type": "application/json", accept: input.stream ? "application/vnd.amazon.eventstream" : "application/json" },
      body,
      credential: { scheme: "signature", signer: "aws-sigv4", parameters: { region, service: "bedrock" } },
      warnings,
    };
  },

  fromUpstreamResponse(json: unknown) {
    const parsed = bedrockConverseResponseSchema.safeParse(json);
    if (!parsed.success) throw malformed("unexpected Converse response shape");
    const response = parsed.data;
    // Converse answers carry no id of their own (the request id is a header).
    const parts: UnnumberedStreamPart[] = [{ type: "stream-start", upstreamId: null }];
    let toolCallIndex = 0;
    let reasoningIndex = 0;
    let calledOwnTool = false;
    for (const block of response.output.message.content) {
      if (block.reasoningContent) parts.push(...reasoningPartsOf({ ...block.reasoningContent.reasoningText, redactedContent: block.reasoningContent.redactedContent }, reasoningIndex++));
      if (block.text) parts.push({ type: "text-delta", text: block.text });
      if (block.toolUse?.name === jsonResponseToolName) {
        calledOwnTool = true;
        parts.push({ type: "text-delta", text: JSON.stringify(block.toolUse.input ?? {}) });
      } else if (block.toolUse?.name === bedrockPlaceholderToolName) {
        // The client offered no such tool (bedrock-placeholder-tool.ts): the call is not theirs to see.
        calledOwnTool = true;
      } else if (block.toolUse) {
        parts.push({ type: "tool-call-delta", index: toolCallIndex++, id: block.toolUse.toolUseId, name: block.toolUse.name, argumentsDelta: JSON.stringify(block.toolUse.input ?? {}) });
      }
    }
    parts.push({ type: "finish", ...finishOf(response.stopReason, calledOwnTool, toolCallIndex) });
    const usage = convertBedrockUsage(response.usage);
    if (usage) parts.push({ type: "usage", usage });
    return { parts };
  },

  createStreamState(): BedrockStreamState {
    return { started: false, finished: false, toolCallIndexes: new Map(), reasoningIndexes: new Map(), jsonAnswerBlocks: new Set(), placeholderBlocks: new Set() };
  },

  fromUpstreamStreamEvent(event: UpstreamStreamEvent, state: BedrockStreamState) {
    const name = event.event ?? "";
    const exceptionStatus = streamExceptionStatuses[name];
    if (exceptionStatus !== undefined) {
      throw new SwitchboardError(mapUpstreamErrorStatus({ status: exceptionStatus, providerLabel, providerMessage: messageOf(event.data), providerCode: name }));
    }
    const parts: UnnumberedStreamPart[] = [];
    if (!state.started && name !== "") {
      state.started = true;
      parts.push({ type: "stream-start", upstreamId: null });
    }
    switch (name) {
      case "contentBlockStart": {
        const payload = parsePayload(bedrockStreamPayloadSchemas.contentBlockStart, event.data);
        const toolUse = payload.start?.toolUse;
        if (toolUse?.name === jsonResponseToolName) state.jsonAnswerBlocks.add(payload.contentBlockIndex);
        else if (toolUse?.name === bedrockPlaceholderToolName) state.placeholderBlocks.add(payload.contentBlockIndex);
        else if (toolUse) {
          const index = state.toolCallIndexes.size;
          state.toolCallIndexes.set(payload.contentBlockIndex, index);
          parts.push({ type: "tool-call-delta", index, id: toolUse.toolUseId, name: toolUse.name, argumentsDelta: "" });
        }
        return parts;
      }
      case "contentBlockDelta": {
        const { delta, contentBlockIndex } = parsePayload(bedrockStreamPayloadSchemas.contentBlockDelta, event.data);
        if (delta.text) parts.push({ type: "text-delta", text: delta.text });
        if (delta.reasoningContent) {
          let index = state.reasoningIndexes.get(contentBlockIndex);
          if (index === undefined) {
            index = state.reasoningIndexes.size;
            state.reasoningIndexes.set(contentBlockIndex, index);
          }
          parts.push(...reasoningPartsOf(delta.reasoningContent, index));
        }
        if (delta.toolUse?.input && state.jsonAnswerBlocks.has(contentBlockIndex)) parts.push({ type: "text-delta", text: delta.toolUse.input });
        else if (delta.toolUse?.input && state.placeholderBlocks.has(contentBlockIndex)) return parts;
        else if (delta.toolUse?.input) {
          const index = state.toolCallIndexes.get(contentBlockIndex);
          if (index === undefined) throw malformed("tool input for a block that is not a toolUse");
          parts.push({ type: "tool-call-delta", index, argumentsDelta: delta.toolUse.input });
        }
        return parts;
      }
      case "messageStop": {
        const { stopReason } = parsePayload(bedrockStreamPayloadSchemas.messageStop, event.data);
        if (!state.finished) {
          state.finished = true;
          parts.push({ type: "finish", ...finishOf(stopReason, state.jsonAnswerBlocks.size > 0 || state.placeholderBlocks.size > 0, state.toolCallIndexes.size) });
        }
        return parts;
      }
      case "metadata": {
        // Usage comes after messageStop, in the stream's last event.
        const usage = convertBedrockUsage(parsePayload(bedrockStreamPayloadSchemas.metadata, event.data).usage);
        if (usage) parts.push({ type: "usage", usage });
        return parts;
      }
      default:
        // messageStart, contentBlockStop, and event types added later.
        return parts;
    }
  },

  isStreamComplete(state: BedrockStreamState) {
    return state.finished;
  },

  fromUpstreamError(status: number, bodyText: string) {
    return mapUpstreamErrorStatus({ status, providerLabel, providerMessage: messageOf(bodyText) });
  },
};
