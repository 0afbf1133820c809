import type { MsgHdrs } from "@nats-io/transport-node";
import { context, SpanKind, trace, type Context, type Span } from "@opentelemetry/api";
import type { FinishReason, GatewayError, RouteCandidate, TokenUsage } from "@switchboard/contracts";
import { injectSpanTraceContext, startMessagingSpan } from "@switchboard/messaging";
import {
  attributeAttemptNumber,
  attributeAttemptOutcome,
  attributeEndpointId,
  attributeErrorCode,
  attributeFallbackReason,
  attributeGenAiOperationName,
  attributeGenAiProviderName,
  attributeGenAiRequestModel,
  attributeGenAiResponseFinishReasons,
  attributeGenAiResponseId,
  attributeGenAiResponseModel,
  attributeGenAiSystem,
  attributeGenAiUsageInputTokens,
  attributeGenAiUsageOutputTokens,
  attributeGenerationId,
  attributeTimeToFirstTokenMs,
  eventGenAiFirstToken,
  markSpanFailed,
  messagingOperationTypes,
  switchboardTracer,
} from "@switchboard/telemetry";

/** How a generation ended, for its span: names and counts only, never text. */
export interface GenerationTraceEnd {
  candidate: RouteCandidate | undefined;
  usage: TokenUsage;
  finishReason: FinishReason | null;
  failure: GatewayError | null;
  cancelled: boolean;
}

/**
 * The spans of one generation (issue 12), made only while tracing is on: the generation's own span
 * (`chat <model>`, GenAI semantic conventions) under the HTTP request's, and per attempt a CLIENT span
 * for the `connector.generate` request whose context travels in the message's headers, so the
 * connector's spans are its children. The answering attempt's span stays open until the generation ends.
 */
export class GenerationTrace {
  private readonly span: Span;
  private readonly context: Context;
  private attempt: Span | undefined;

  constructor(generationId: string, requestedModel: string) {
    this.span = switchboardTracer().startSpan(`chat ${requestedModel}`, {
      kind: SpanKind.INTERNAL,
      attributes: {
        [attributeGenAiOperationName]: "chat",
        [attributeGenAiRequestModel]: requestedModel,
        [attributeGenAiResponseId]: generationId,
        [attributeGenerationId]: generationId,
      },
    });
    this.context = trace.setSpan(context.active(), this.span);
  }

  /** The generation's context, the parent of what it publishes (the completion fact, a cancel). */
  get parent(): Context {
    return this.context;
  }

  /** Starts attempt `number` on `candidate`; returns the headers carrying its context for the generate message. */
  startAttempt(candidate: RouteCandidate, number: number, subject: string): MsgHdrs | undefined {
    this.attempt?.end();
    const span = startMessagingSpan({ kind: SpanKind.CLIENT, operationType: messagingOperationTypes.send, operationName: "request", subject, parent: this.context });
    span.setAttributes({
      [attributeAttemptNumber]: number,
      [attributeGenAiOperationName]: "chat",
      [attributeGenAiSystem]: candidate.providerId,
      [attributeGenAiProviderName]: candidate.providerName,
      [attributeGenAiRequestModel]: candidate.modelId,
      [attributeEndpointId]: candidate.endpointId,
    });
    this.attempt = span;
    return injectSpanTraceContext(undefined, span);
  }

  /** The attempt failed before any output; `fallingBack` when another candidate is tried next. */
  attemptFailed(error: GatewayError, fallingBack: boolean): void {
    const span = this.attempt;
    if (span === undefined) return;
    this.attempt = undefined;
    span.setAttribute(attributeAttemptOutcome, error.code);
    if (fallingBack) {
      span.setAttribute(attributeFallbackReason, error.code);
      this.span.addEvent("switchboard.fallback", { [attributeFallbackReason]: error.code });
    }
    markSpanFailed(span, error.code);
    span.end();
  }

  /** The attempt was stopped (client gone, deadline) before its outcome. */
  attemptStopped(): void {
    this.attempt?.setAttribute(attributeAttemptOutcome, "stopped");
    this.attempt?.end();
    this.attempt = undefined;
  }

  /** The attempt produced its first output `timeToFirstTokenMs` after the generation started. */
  attemptProducedOutput(timeToFirstTokenMs: number): void {
    this.attempt?.setAttribute(attributeAttemptOutcome, "output");
    this.span.addEvent(eventGenAiFirstToken, { [attributeTimeToFirstTokenMs]: timeToFirstTokenMs });
  }

  /** Records how the generation ended; `end()` closes the spans. */
  finish(end: GenerationTraceEnd): void {
    if (end.candidate) {
      this.span.setAttributes({
        [attributeGenAiResponseModel]: end.candidate.modelId,
        [attributeGenAiSystem]: end.candidate.providerId,
        [attributeGenAiProviderName]: end.candidate.providerName,
        [attributeEndpointId]: end.candidate.endpointId,
      });
    }
    this.span.setAttributes({ [attributeGenAiUsageInputTokens]: end.usage.promptTokens, [attributeGenAiUsageOutputTokens]: end.usage.completionTokens });
    if (end.finishReason !== null) this.span.setAttribute(attributeGenAiResponseFinishReasons, [end.finishReason]);
    if (end.cancelled) this.span.setAttribute(attributeErrorCode, "cancelled");
    if (end.failure !== null) {
      markSpanFailed(this.span, end.failure.code);
      if (this.attempt) markSpanFailed(this.attempt, end.failure.code);
    }
  }

  end(): void {
    this.attempt?.end();
    this.attempt = undefined;
    this.span.end();
  }
}

