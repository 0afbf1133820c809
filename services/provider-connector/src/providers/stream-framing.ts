/**
 * How a provider frames the events of a streamed answer. Every adapter declares one and the transport
 * parses the response body by it, so no adapter sees bytes: Server-Sent Events (OpenAI, Anthropic, Gemini
 * with `alt=sse`), or AWS's binary `application/vnd.amazon.eventstream` (Bedrock), whose `:event-type`
 * (or `:exception-type`) header becomes the event's type and whose payload its data.
 */
export const streamFramings = { serverSentEvents: "server-sent-events", awsEventStream: "aws-event-stream" } as const;
export type StreamFraming = (typeof streamFramings)[keyof typeof streamFramings];
