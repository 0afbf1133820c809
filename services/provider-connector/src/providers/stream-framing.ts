/**
 * How a provider frames the events of a streamed answer. Every adapter declares one and the transport
 * parses the response body by it, so no adapter sees bytes. Only Server-Sent Events exist today (OpenAI,
 * Anthropic, Gemini with `alt=sse`); AWS Bedrock's binary `application/vnd.amazon.eventstream` framing
 * joins this list with its parser (issue 11), its `:event-type` header becoming the event's type.
 */
export const streamFramings = { serverSentEvents: "server-sent-events" } as const;
export type StreamFraming = (typeof streamFramings)[keyof typeof streamFramings];
