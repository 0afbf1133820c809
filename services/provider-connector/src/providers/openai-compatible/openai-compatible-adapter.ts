import { gatewayError, gatewayErrorCodes, SwitchboardError, type UnnumberedStreamPart, type UpstreamWarning } from "@switchboard/contracts";
import { buildUpstreamUrl } from "../build-upstream-url.js";
import { gatewayRequestParameters } from "../gateway-request-parameters.js";
import { mapUpstreamErrorStatus } from "../map-upstream-error-status.js";
import type { ProviderAdapter, UpstreamRequest, UpstreamRequestInput, UpstreamStreamEvent } from "../provider-adapter.js";
import { streamFramings } from "../stream-framing.js";
import type { UpstreamCredential } from "../upstream-credential.js";
import { convertOpenAILogprobs } from "./convert-openai-logprobs.js";
import { convertOpenAIReasoning } from "./convert-openai-reasoning.js";
import { convertOpenAIReasoningDetails } from "./convert-openai-reasoning-details.js";
import { convertOpenAIUsage } from "./convert-openai-usage.js";
import { mapOpenAIFinishReason } from "./map-openai-finish-reason.js";
import { openAIChatChunkSchema, openAIChatCompletionSchema, openAIErrorBodySchema, type OpenAIChatChunk } from "./openai-api-schemas.js";
import { openAIRequestParameters } from "./openai-request-parameters.js";
import { withoutReasoningDetails } from "./without-reasoning-details.js";
import { chooseOutputCapParameter } from "./output-cap-parameter.js";

/** What differs between vendors that speak OpenAI's chat completions API. */
export interface OpenAICompatibleAdapterConfig {
  /** Names the API in error messages, e.g. "OpenAI". */
  providerLabel: string;
  /** How the provider key goes on the request: `{ scheme: "bearer" }` for most, the `api-key` header for Azure. */
  credential: UpstreamCredential;
  /**
   * The client body's keys this vendor understands; every other key is dropped. Defaults to
   * `openAIRequestParameters`; a vendor with extra parameters spreads that list and adds its own.
   */
  forwardedParameters?: readonly string[];
  /**
   * Upstream model names that take the output cap only as `max_completion_tokens` (OpenAI's reasoning
   * models: `openAIReasoningModelPattern`); every other model gets `max_tokens`, which all
   * OpenAI-compatible servers accept.
   */
  maxCompletionTokensModels?: RegExp;
  /**
   * The path below the catalog's `base_url` for a model; defaults to `/chat/completions` (the model goes in
   * the body). Azure OpenAI puts its deployment in the path instead.
   */
  chatCompletionsPath?: (upstreamModel: string) => string;
}

/** Per-generation stream state of the OpenAI-compatible adapter. */
export interface OpenAICompatibleStreamState {
  started: boolean;
  finished: boolean;
  /** Set by `data: [DONE]`; anything after it is ignored. */
  done: boolean;
}

/** Below the catalog's `base_url`, which for this family includes the version (`https://api.openai.com/v1`). */
const chatCompletionsPath = "/chat/completions";

function malformed(providerLabel: string, detail: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider (${providerLabel} API) sent a malformed response: ${detail}`, {
      retryable: true,
    }),
  );
}

function firstChoice<Choice extends { index?: number | null | undefined }>(choices: readonly Choice[] | null | undefined): Choice | undefined {
  return choices?.find((choice) => (choice.index ?? 0) === 0);
}

/** The parts carried by one chunk's first choice, in the order the provider produced them. */
function deltaParts(chunk: OpenAIChatChunk): UnnumberedStreamPart[] {
  const delta = firstChoice(chunk.choices)?.delta;
  if (!delta) return [];
  const parts: UnnumberedStreamPart[] = [];
  const reasoning = delta.reasoning ?? delta.reasoning_content;
  if (reasoning) parts.push({ type: "reasoning-delta", text: reasoning });
  if (delta.reasoning_details) parts.push(...convertOpenAIReasoningDetails(delta.reasoning_details));
  if (delta.content) parts.push({ type: "text-delta", text: delta.content });
  if (delta.refusal) parts.push({ type: "refusal-delta", text: delta.refusal });
  for (const toolCall of delta.tool_calls ?? []) {
    const id = toolCall.id ?? undefined;
    const name = toolCall.function?.name ?? undefined;
    const argumentsDelta = toolCall.function?.arguments ?? "";
    if (id === undefined && name === undefined && argumentsDelta === "") continue;
    parts.push({
      type: "tool-call-delta",
      index: toolCall.index,
      ...(id !== undefined ? { id } : {}),
      ...(name !== undefined ? { name } : {}),
      argumentsDelta,
    });
  }
  return parts;
}

/** Builds the adapter for one OpenAI-compatible vendor from its differences. */
export function createOpenAICompatibleAdapter(config: OpenAICompatibleAdapterConfig): ProviderAdapter<OpenAICompatibleStreamState> {
  const { providerLabel } = config;
  const forwardedParameters = new Set(config.forwardedParameters ?? openAIRequestParameters);
  return {
    streamFraming: streamFramings.serverSentEvents,

    toUpstreamRequest(input: UpstreamRequestInput): UpstreamRequest {
      // An allowlist, not a list of keys to remove: a parameter OpenRouter adds tomorrow must not reach a
      // strict provider as an unknown key. What is left out is named in a warning (never its value), except
      // the keys Switchboard itself consumes.
      // The vendor's quirks come from the catalog with each request: one adapter serves every vendor.
      const quirks = input.quirks ?? {};
      // Switchboard's own keys (`provider`, `stream_options`, ...) stay its own even when listed as extra.
      const extraParameters = (quirks.extraParameters ?? []).filter((name) => !gatewayRequestParameters.has(name));
      const vendorParameters = new Set([...forwardedParameters, ...extraParameters]);
      for (const rejected of quirks.dropParameters ?? []) vendorParameters.delete(rejected);
      const body: Record<string, unknown> = {};
      const warnings: UpstreamWarning[] = [];
      for (const [key, value] of Object.entries(input.body)) {
        if (vendorParameters.has(key)) body[key] = value;
        else if (value !== undefined && !gatewayRequestParameters.has(key)) warnings.push({ type: "unsupported-parameter", parameter: key });
      }
      // A vendor that takes OpenRouter's `reasoning` (OpenRouter itself) gets it and the reasoning_details
      // as they are; any other gets the effort as OpenAI's `reasoning_effort` and no reasoning_details.
      if (vendorParameters.has("reasoning") && typeof body["reasoning"] === "object" && body["reasoning"] !== null) {
        // `exclude` stays here: the handler hides the reasoning text itself (hide-reasoning-text.ts), as for
        // every provider. Forwarded, the upstream would hide it, and a model thinking would not be seen as
        // output (fallback after it started, charging on a cancel). Alone it asks nothing of the model,
        // as resolve-reasoning.ts reads it for every other provider, so nothing is left to send.
        const { exclude: _exclude, ...forwarded } = body["reasoning"] as Record<string, unknown>;
        if (Object.keys(forwarded).length > 0) body["reasoning"] = forwarded;
        else delete body["reasoning"];
      }
      if (!vendorParameters.has("reasoning")) {
        if (input.body.reasoning !== undefined && input.body.reasoning !== null && vendorParameters.has("reasoning_effort") && convertOpenAIReasoning(input.body, body)) {
          // Carried as reasoning_effort, so not dropped after all.
          const dropped = warnings.findIndex((warning) => warning.parameter === "reasoning");
          if (dropped >= 0) warnings.splice(dropped, 1);
        }
        if (body["messages"] !== undefined) body["messages"] = withoutReasoningDetails(input.body.messages);
      }
      body["model"] = input.upstreamModel;
      // One cap, the reserved one, and never both fields: OpenAI rejects that ("only one of ... may be
      // set"). The client's own `max_tokens` / `max_completion_tokens` are already in maxCompletionTokens;
      // null means no cap at all, so the provider's own limit applies.
      delete body["max_tokens"];
      delete body["max_completion_tokens"];
      if (input.maxCompletionTokens !== null) {
        body[quirks.outputCapParameter ?? chooseOutputCapParameter(input.upstreamModel, config.maxCompletionTokensModels)] = input.maxCompletionTokens;
      }
      body["stream"] = input.stream;
      // Without include_usage a streamed answer carries no token counts, and billing would have to guess;
      // only a server the catalog says rejects `stream_options` goes without.
      if (input.stream && quirks.streamUsage !== false) body["stream_options"] = { include_usage: true };

      const headers: Record<string, string> = {
        "content-type": "application/json",
        accept: input.stream ? "text/event-stream" : "application/json",
      };
      const path = config.chatCompletionsPath?.(input.upstreamModel) ?? chatCompletionsPath;
      return { url: buildUpstreamUrl(input.baseUrl, path), headers, body, credential: config.credential, warnings };
    },

    fromUpstreamResponse(json: unknown) {
      const parsed = openAIChatCompletionSchema.safeParse(json);
      if (!parsed.success) throw malformed(providerLabel, "unexpected completion shape");
      const completion = parsed.data;
      const choice = firstChoice(completion.choices);
      if (!choice) throw malformed(providerLabel, "no choices");

      const parts: UnnumberedStreamPart[] = [{ type: "stream-start", upstreamId: completion.id ?? null }];
      const message = choice.message;
      const reasoning = message.reasoning ?? message.reasoning_content;
      if (reasoning) parts.push({ type: "reasoning-delta", text: reasoning });
      if (message.reasoning_details) parts.push(...convertOpenAIReasoningDetails(message.reasoning_details));
      if (message.content) parts.push({ type: "text-delta", text: message.content });
      if (message.refusal) parts.push({ type: "refusal-delta", text: message.refusal });
      parts.push(...convertOpenAILogprobs(choice.logprobs));
      (message.tool_calls ?? []).forEach((toolCall, index) => {
        const id = toolCall.id ?? undefined;
        const name = toolCall.function.name ?? undefined;
        parts.push({
          type: "tool-call-delta",
          index,
          ...(id !== undefined ? { id } : {}),
          ...(name !== undefined ? { name } : {}),
          argumentsDelta: toolCall.function.arguments ?? "",
        });
      });
      parts.push({ type: "finish", ...mapOpenAIFinishReason(choice.finish_reason) });
      const usage = completion.usage ? convertOpenAIUsage(completion.usage) : undefined;
      if (usage) parts.push({ type: "usage", usage });
      return { parts };
    },

    createStreamState(): OpenAICompatibleStreamState {
      return { started: false, finished: false, done: false };
    },

    fromUpstreamStreamEvent(event: UpstreamStreamEvent, state: OpenAICompatibleStreamState) {
      if (state.done) return [];
      // https://platform.openai.com/docs/api-reference/chat-streaming: the stream ends with `data: [DONE]`.
      if (event.data.trim() === "[DONE]") {
        state.done = true;
        return [];
      }
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        throw malformed(providerLabel, "a stream event is not JSON");
      }
      const parsed = openAIChatChunkSchema.safeParse(json);
      if (!parsed.success) throw malformed(providerLabel, "unexpected stream chunk shape");
      const chunk = parsed.data;
      if (chunk.error) {
        throw new SwitchboardError(
          mapUpstreamErrorStatus({
            status: 502,
            providerLabel,
            providerMessage: chunk.error.message ?? "error inside the stream",
            ...(chunk.error.code !== null && chunk.error.code !== undefined ? { providerCode: String(chunk.error.code) } : {}),
          }),
        );
      }

      const parts: UnnumberedStreamPart[] = [];
      if (!state.started) {
        state.started = true;
        // Azure opens with a prompt-filter chunk whose id is "": no id is better than a wrong one.
        parts.push({ type: "stream-start", upstreamId: chunk.id ? chunk.id : null });
      }
      parts.push(...deltaParts(chunk));
      parts.push(...convertOpenAILogprobs(firstChoice(chunk.choices)?.logprobs));
      const finishReason = firstChoice(chunk.choices)?.finish_reason;
      if (finishReason && !state.finished) {
        state.finished = true;
        parts.push({ type: "finish", ...mapOpenAIFinishReason(finishReason) });
      }
      const usage = chunk.usage ? convertOpenAIUsage(chunk.usage) : undefined;
      if (usage) parts.push({ type: "usage", usage });
      return parts;
    },

    isStreamComplete(state: OpenAICompatibleStreamState) {
      // Some vendors never send [DONE] after the finish chunk; a finish reason is end enough.
      return state.done || state.finished;
    },

    fromUpstreamError(status: number, bodyText: string) {
      let providerMessage = bodyText;
      let providerCode: string | undefined;
      try {
        const parsed = openAIErrorBodySchema.safeParse(JSON.parse(bodyText));
        if (parsed.success) {
          providerMessage = parsed.data.error.message ?? bodyText;
          const code = parsed.data.error.code ?? parsed.data.error.type;
          if (code !== null && code !== undefined) providerCode = String(code);
        }
      } catch {
        // Not JSON (an HTML error page of a proxy, say): the raw text is all we have.
      }
      return mapUpstreamErrorStatus({ status, providerLabel, providerMessage, ...(providerCode !== undefined ? { providerCode } : {}) });
    },
  };
}
