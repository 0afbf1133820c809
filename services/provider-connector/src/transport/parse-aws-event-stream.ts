import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/core/serde";
import type { UpstreamStreamEvent } from "../providers/provider-adapter.js";

/** Far beyond any real stream event; AWS caps one message at 16 MiB plus framing. */
export const maximumAwsEventStreamMessageBytes = 24 * 1024 * 1024;

/** The 4-byte big-endian total length that opens every message (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html). */
const preludeLengthBytes = 4;

function malformed(detail: string): SwitchboardError {
  // Retryable: a cut or corrupted connection, not the request, is the likely cause.
  return new SwitchboardError(gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider sent a malformed AWS event stream: ${detail}`, { retryable: true }));
}

function stringHeader(headers: Record<string, { type: string; value: unknown }>, name: string): string | undefined {
  const header = headers[name];
  return header?.type === "string" && typeof header.value === "string" ? header.value : undefined;
}

/**
 * Parses AWS's binary `application/vnd.amazon.eventstream` framing (Bedrock's ConverseStream and
 * InvokeModelWithResponseStream) into events: each message's `:event-type` header (for `:message-type`
 * `event`) or `:exception-type` header (for `exception`, e.g. `throttlingException`) becomes the event's
 * type, its payload (JSON) the data. Messages are cut from the byte stream by their length prelude and
 * decoded, CRCs checked, by the AWS SDK's own codec. Network chunks may split a message anywhere; bytes
 * left over when the body ends are a truncated message, which is an error.
 */
export async function* parseAwsEventStream(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<UpstreamStreamEvent, void, undefined> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let buffer: Uint8Array = new Uint8Array(0);
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    buffer = buffer.length === 0 ? bytes : Buffer.concat([buffer, bytes]);
    while (buffer.length >= preludeLengthBytes) {
      const totalLength = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength).getUint32(0, false);
      if (totalLength > maximumAwsEventStreamMessageBytes) throw malformed(`a message of ${totalLength} bytes`);
      if (buffer.length < totalLength) break;
      let message;
      try {
        message = codec.decode(buffer.subarray(0, totalLength));
      } catch (error) {
        throw malformed(error instanceof Error ? error.message : "undecodable message");
      }
      buffer = buffer.subarray(totalLength);
      const headers = message.headers as Record<string, { type: string; value: unknown }>;
      const messageType = stringHeader(headers, ":message-type");
      const event = messageType === "exception" ? stringHeader(headers, ":exception-type") : messageType === "error" ? stringHeader(headers, ":error-code") : stringHeader(headers, ":event-type");
      yield { ...(event !== undefined ? { event } : {}), data: toUtf8(message.body) };
    }
  }
  if (buffer.length > 0) throw malformed("the body ended inside a message");
}
