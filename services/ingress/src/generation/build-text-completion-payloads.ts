import type { ChatUsage, CompletionLogprobs, GatewayError, TextCompletion, TokenLogprob } from "@switchboard/contracts";
import { toHttpErrorBody } from "../plugins/send-error.js";
import type { GenerationIdentity } from "./build-chat-payloads.js";
import type { ResponseAccumulator } from "./response-accumulator.js";

/**
 * Chat's per-token log probabilities in the completions shape: parallel arrays of tokens, their log
 * probabilities, the top alternatives as `{token: logprob}` (null when none were asked for) and each
 * token's character offset in the text, counted from `startOffset`.
 */
export function convertLogprobsToCompletion(tokens: readonly TokenLogprob[], topLogprobs: number, startOffset = 0): CompletionLogprobs {
  const offsets: number[] = [];
  let offset = startOffset;
  for (const token of tokens) {
    offsets.push(offset);
    offset += token.token.length;
  }
  return {
    tokens: tokens.map((token) => token.token),
    token_logprobs: tokens.map((token) => token.logprob),
    top_logprobs: topLogprobs > 0 ? tokens.map((token) => Object.fromEntries(token.top_logprobs.map((alternative) => [alternative.token, alternative.logprob]))) : null,
    text_offset: offsets,
  };
}

/** The whole legacy completion (`object: "text_completion"`) of a generation served on chat. */
export function buildTextCompletion(identity: GenerationIdentity, accumulator: ResponseAccumulator, usage: ChatUsage, logprobs: number | null): TextCompletion {
  return {
    id: identity.id,
    object: "text_completion",
    created: identity.created,
    model: identity.model,
    provider: identity.provider,
    system_fingerprint: null,
    choices: [
      {
        text: accumulator.text,
        index: 0,
        logprobs: logprobs === null ? null : convertLogprobsToCompletion(accumulator.contentLogprobs, logprobs),
        finish_reason: accumulator.finishReason ?? "stop",
        native_finish_reason: accumulator.nativeFinishReason,
      },
    ],
    usage,
  };
}

type CompletionChoice = TextCompletion["choices"][number];

/** One streamed chunk: OpenAI streams legacy completions as `text_completion` objects too. */
export function buildTextCompletionChunk(identity: GenerationIdentity, choices: CompletionChoice[], extra: Pick<TextCompletion, "usage" | "error"> = {}): TextCompletion {
  return { id: identity.id, object: "text_completion", created: identity.created, model: identity.model, provider: identity.provider, choices, ...extra };
}

/** The in-band error of a stream that already sent its headers, as chat's: `error` beside `finish_reason: "error"`. */
export function buildTextCompletionErrorChunk(identity: GenerationIdentity, error: GatewayError): TextCompletion {
  return buildTextCompletionChunk(identity, [{ text: "", index: 0, logprobs: null, finish_reason: "error" }], toHttpErrorBody(error));
}
