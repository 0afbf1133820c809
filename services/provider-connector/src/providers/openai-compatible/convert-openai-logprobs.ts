import type { TokenLogprob, UnnumberedStreamPart } from "@switchboard/contracts";
import type { OpenAIChoiceLogprobs, OpenAITokenLogprob } from "./openai-api-schemas.js";

function convertToken(token: OpenAITokenLogprob): TokenLogprob {
  return {
    token: token.token,
    logprob: token.logprob,
    bytes: token.bytes ?? null,
    top_logprobs: (token.top_logprobs ?? []).map((top) => ({ token: top.token, logprob: top.logprob, bytes: top.bytes ?? null })),
  };
}

/**
 * A choice's `logprobs` as a `logprobs-delta` part, or nothing when it holds no token (the client did not
 * ask, or this chunk carried none). Copied field by field so a vendor's extra keys do not travel on.
 */
export function convertOpenAILogprobs(logprobs: OpenAIChoiceLogprobs | null | undefined): UnnumberedStreamPart[] {
  const content = logprobs?.content ?? [];
  const refusal = logprobs?.refusal ?? [];
  if (content.length === 0 && refusal.length === 0) return [];
  return [
    {
      type: "logprobs-delta",
      ...(content.length > 0 ? { content: content.map(convertToken) } : {}),
      ...(refusal.length > 0 ? { refusal: refusal.map(convertToken) } : {}),
    },
  ];
}
