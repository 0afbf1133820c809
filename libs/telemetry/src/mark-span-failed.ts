import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { attributeErrorCode } from "./semconv.js";

/**
 * Marks a span failed with a code (a GatewayErrorCode, or a short reason of ours), never an error
 * message: a message can quote the request or the provider's answer.
 */
export function markSpanFailed(span: Span, code: string): void {
  if (!span.isRecording()) return;
  span.setAttribute(attributeErrorCode, code);
  span.setStatus({ code: SpanStatusCode.ERROR });
}
