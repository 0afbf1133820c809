import type { IncomingHttpHeaders } from "node:http";

/** One tool call the fake answers with. */
export interface FakeToolCall {
  /** Defaults to a generated `call_…` id. */
  id?: string;
  name: string;
  /** The JSON arguments string, sent whole or split across stream chunks. */
  arguments: string;
}

/**
 * How the fake answers one request. With no field set it echoes the last user message. Fields combine:
 * `{ delayBeforeHeadersMs: 200, status: 500 }` is a slow 500.
 */
export interface FakeUpstreamScript {
  // A request with `logprobs: true` is answered with one token log probability per content chunk.
  /** Answer with this HTTP error status and an OpenAI error body `{error:{message,type,code}}`. */
  status?: number;
  /** The error body's `message` when `status` is set. */
  errorMessage?: string;
  /** The whole answer text; streamed as word chunks unless `chunks` is given. */
  text?: string;
  /** The exact content chunks of a streamed answer (their concatenation is the non-stream text). */
  chunks?: string[];
  toolCalls?: FakeToolCall[];
  /**
   * Decline: answer with this `refusal` text (streamed as word chunks of `delta.refusal`) and `content: null`,
   * as OpenAI's models do for a refused structured-output request.
   */
  refusal?: string;
  /** Defaults to `tool_calls` with tool calls, `stop` otherwise. */
  finishReason?: string;
  /**
   * Defaults: prompt = ceil(UTF-8 bytes of JSON.stringify(messages) / 4), at most that byte count;
   * completion = the number of chunks (content chunks plus tool-call argument chunks); `cached_tokens`
   * (sent as `prompt_tokens_details.cached_tokens`, a prompt cache read) = 0; `cache_write_tokens` (sent
   * as `prompt_tokens_details.cache_write_tokens`, as OpenRouter does) left out; `reasoning_tokens` = 0.
   */
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number; cache_write_tokens?: number; reasoning_tokens?: number };
  delayBeforeHeadersMs?: number;
  /** Answer only once this settles (after `delayBeforeHeadersMs`): a gate the test opens when it is ready. */
  answerAfter?: Promise<unknown>;
  delayBetweenChunksMs?: number;
  /** Destroy the socket after this many content chunks of a stream (a non-stream answer: before any byte). */
  resetAfterChunks?: number;
  /**
   * End a stream cleanly (a complete HTTP response, unlike `resetAfterChunks`) after this many content
   * chunks, without finish chunk, usage chunk or `[DONE]`: a truncated answer. Streams only.
   */
  endStreamAfterChunks?: number;
  /**
   * After this many content chunks of a stream, send an error chunk `{"error":{"message","code"}}` (the
   * message is `errorMessage`) and end the stream: a provider failing mid-answer, as OpenAI-compatible
   * vendors and OpenRouter report it. Streams only.
   */
  streamErrorAfterChunks?: number;
  /** Leave out the final `data: [DONE]` of a stream, as some vendors do; the finish chunk is still sent. */
  omitDone?: boolean;
  /** Leave usage out: no usage chunk even with `stream_options.include_usage`, no `usage` in JSON. */
  omitUsage?: boolean;
  /** Accept the request and never answer; the connection stays open until the client gives up. */
  neverRespond?: boolean;
}

/** Selects requests by their last user message text: exact string or pattern. */
export type FakeUpstreamMatch = string | RegExp;

/** What the fake saw of one request, for assertions. */
export interface RecordedRequest {
  /** Epoch milliseconds. */
  receivedAt: number;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** Epoch milliseconds at which the connection closed before the answer was complete (client abort or reset). */
  closedAt?: number;
  /** True once the whole answer was written. */
  completed: boolean;
}
