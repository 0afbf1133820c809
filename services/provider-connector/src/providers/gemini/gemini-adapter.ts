import { gatewayError, gatewayErrorCodes, reasoningFormats, SwitchboardError, type UnnumberedStreamPart } from "@switchboard/contracts";
import { buildUpstreamUrl } from "../build-upstream-url.js";
import { mapUpstreamErrorStatus } from "../map-upstream-error-status.js";
import type { ProviderAdapter, UpstreamRequest, UpstreamRequestInput, UpstreamStreamEvent } from "../provider-adapter.js";
import { streamFramings } from "../stream-framing.js";
import { convertGeminiUsage } from "./convert-gemini-usage.js";
import { convertToGeminiRequest } from "./convert-to-gemini-request.js";
import { geminiErrorBodySchema, geminiResponseSchema, type GeminiResponse, type GeminiUsageMetadata } from "./gemini-api-schemas.js";
import { mapGeminiFinishReason } from "./map-gemini-finish-reason.js";

const providerLabel = "Gemini";

/** Per-generation state of the Gemini adapter, for a stream or one whole response. */
export interface GeminiStreamState {
  started: boolean;
  finished: boolean;
  /** Function calls seen so far: Gemini says STOP after one, and its calls carry no index. */
  toolCallCount: number;
  /** The latest `usageMetadata`: stream chunks carry running totals, the last one is final. */
  usage: GeminiUsageMetadata | null;
  /** `reasoning_details` entries started so far; the thought text is one entry, each signature another. */
  reasoningDetailCount: number;
  /** The `reasoning_details` index of the thought text, once a thought part came. */
  thoughtIndex: number | null;
}

function malformed(detail: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider (${providerLabel} API) sent a malformed response: ${detail}`, { retryable: true }),
  );
}

/** `models/{model}` unless the catalog names a full resource (`tunedModels/…`). */
function modelResource(upstreamModel: string): string {
  return upstreamModel.includes("/") ? upstreamModel : `models/${upstreamModel}`;
}

/**
 * The parts one `GenerateContentResponse` (a whole answer or a stream chunk) yields. Gemini sends no tool
 * call ids, so one is minted from the response id and the call's position; the request side maps a tool
 * result back to its function by the assistant message that holds that id, so the id only has to be unique
 * within the conversation.
 */
function partsOf(response: GeminiResponse, state: GeminiStreamState): UnnumberedStreamPart[] {
  const parts: UnnumberedStreamPart[] = [];
  if (!state.started) {
    state.started = true;
    parts.push({ type: "stream-start", upstreamId: response.responseId ?? null });
  }
  const candidate = response.candidates?.find((item) => (item.index ?? 0) === 0);
  const format = reasoningFormats.gemini;
  for (const part of candidate?.content?.parts ?? []) {
    let toolCallId: string | undefined;
    if (part.functionCall) {
      const index = state.toolCallCount++;
      toolCallId = part.functionCall.id ?? `call_${response.responseId ?? "gemini"}_${index}`;
      parts.push({ type: "tool-call-delta", index, id: toolCallId, name: part.functionCall.name, argumentsDelta: JSON.stringify(part.functionCall.args ?? {}) });
    } else if (part.text && part.thought === true) {
      state.thoughtIndex ??= state.reasoningDetailCount++;
      parts.push({ type: "reasoning-delta", text: part.text, detail: { type: "reasoning.text", text: part.text, format, index: state.thoughtIndex } });
    } else if (part.text) {
      parts.push({ type: "text-delta", text: part.text });
    }
    // The signature goes back on the part it came with: a function call's by the call's id, a text's as the first text.
    if (part.thoughtSignature) {
      const detail = { type: "reasoning.encrypted" as const, data: part.thoughtSignature, format, index: state.reasoningDetailCount++ };
      parts.push({ type: "reasoning-detail", detail: toolCallId === undefined ? detail : { ...detail, id: toolCallId } });
    }
  }
  if (response.usageMetadata) state.usage = response.usageMetadata;
  const nativeReason = candidate?.finishReason ?? (candidate === undefined ? response.promptFeedback?.blockReason : undefined);
  if (nativeReason && !state.finished) {
    state.finished = true;
    // A blocked prompt has a blockReason and no candidate: the prompt was filtered.
    const mapped = candidate === undefined ? { finishReason: "content_filter" as const, nativeFinishReason: nativeReason } : mapGeminiFinishReason(nativeReason, state.toolCallCount > 0);
    parts.push({ type: "finish", ...mapped });
    const usage = convertGeminiUsage(state.usage);
    if (usage) parts.push({ type: "usage", usage });
  } else if (state.finished && response.usageMetadata) {
    // Totals that arrive after the finish replace the ones sent with it.
    const usage = convertGeminiUsage(state.usage);
    if (usage) parts.push({ type: "usage", usage });
  }
  return parts;
}

function parseResponse(json: unknown): GeminiResponse {
  const parsed = geminiResponseSchema.safeParse(json);
  if (!parsed.success) throw malformed("unexpected response shape");
  return parsed.data;
}

/**
 * The Gemini API (Generative Language API, https://ai.google.dev/api/generate-content): the key in
 * `x-goog-api-key`, the model and the streaming switch in the URL below a version-less base URL
 * (`https://generativelanguage.googleapis.com`), streams as server-sent events with `alt=sse`.
 */
export const geminiAdapter: ProviderAdapter<GeminiStreamState> = {
  streamFraming: streamFramings.serverSentEvents,

  toUpstreamRequest(input: UpstreamRequestInput): UpstreamRequest {
    const { body, warnings } = convertToGeminiRequest(input.body, { maxCompletionTokens: input.maxCompletionTokens, upstreamModel: input.upstreamModel });
    const method = input.stream ? "streamGenerateContent?alt=sse" : "generateContent";
    return {
      url: buildUpstreamUrl(input.baseUrl, `/v1beta/${modelResource(input.upstreamModel)}:${method}`),
      headers: { "content-type": "application/json", accept: input.stream ? "text/event-stream" : "application/json" },
      body,
      credential: { scheme: "header", headerName: "x-goog-api-key" },
      warnings,
    };
  },

  fromUpstreamResponse(json: unknown) {
    const state = geminiAdapter.createStreamState();
    const parts = partsOf(parseResponse(json), state);
    if (!state.finished) throw malformed("no finish reason");
    return { parts };
  },

  createStreamState(): GeminiStreamState {
    return { started: false, finished: false, toolCallCount: 0, usage: null, reasoningDetailCount: 0, thoughtIndex: null };
  },

  fromUpstreamStreamEvent(event: UpstreamStreamEvent, state: GeminiStreamState) {
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      throw malformed("a stream event is not JSON");
    }
    const error = geminiErrorBodySchema.safeParse(json);
    if (error.success) {
      throw new SwitchboardError(
        mapUpstreamErrorStatus({
          status: error.data.error.code ?? 502,
          providerLabel,
          providerMessage: error.data.error.message ?? "error inside the stream",
          ...(error.data.error.status ? { providerCode: error.data.error.status } : {}),
        }),
      );
    }
    return partsOf(parseResponse(json), state);
  },

  isStreamComplete(state: GeminiStreamState) {
    // Gemini has no end marker: the chunk with a finish reason is the last one that matters.
    return state.finished;
  },

  fromUpstreamError(status: number, bodyText: string) {
    let providerMessage = bodyText;
    let providerCode: string | undefined;
    try {
      const parsed = geminiErrorBodySchema.safeParse(JSON.parse(bodyText));
      if (parsed.success) {
        providerMessage = parsed.data.error.message ?? bodyText;
        providerCode = parsed.data.error.status ?? undefined;
      }
    } catch {
      // Not JSON: the raw text is all we have.
    }
    return mapUpstreamErrorStatus({ status, providerLabel, providerMessage, ...(providerCode !== undefined ? { providerCode } : {}) });
  },
};
