/**
 * OpenTelemetry attribute names this code sets that are not stable yet (incubating messaging and GenAI
 * conventions), copied here rather than imported from the incubating entry point, which may rename them
 * in any release: https://opentelemetry.io/docs/specs/semconv/messaging/ and /gen-ai/.
 */
export const attributeServiceInstanceId = "service.instance.id";

export const attributeMessagingSystem = "messaging.system";
export const attributeMessagingDestinationName = "messaging.destination.name";
export const attributeMessagingOperationType = "messaging.operation.type";
export const attributeMessagingOperationName = "messaging.operation.name";
export const attributeMessagingConsumerGroupName = "messaging.consumer.group.name";
export const attributeMessagingMessageId = "messaging.message.id";
export const attributeMessagingBatchMessageCount = "messaging.batch.message_count";
export const messagingSystemNats = "nats";

/** `messaging.operation.type` values. */
export const messagingOperationTypes = {
  send: "send",
  receive: "receive",
  process: "process",
} as const;

export const attributeGenAiSystem = "gen_ai.system";
export const attributeGenAiProviderName = "gen_ai.provider.name";
export const attributeGenAiOperationName = "gen_ai.operation.name";
export const attributeGenAiRequestModel = "gen_ai.request.model";
export const attributeGenAiResponseModel = "gen_ai.response.model";
export const attributeGenAiResponseId = "gen_ai.response.id";
export const attributeGenAiResponseFinishReasons = "gen_ai.response.finish_reasons";
export const attributeGenAiUsageInputTokens = "gen_ai.usage.input_tokens";
export const attributeGenAiUsageOutputTokens = "gen_ai.usage.output_tokens";
/** The span event marking the first output token; its time is the time to first token. */
export const eventGenAiFirstToken = "gen_ai.first_token";

/** Switchboard's own attributes (no convention covers them); never text from a request or response. */
export const attributeGenerationId = "switchboard.generation.id";
export const attributeEndpointId = "switchboard.endpoint.id";
export const attributeAttemptNumber = "switchboard.attempt.number";
export const attributeAttemptOutcome = "switchboard.attempt.outcome";
export const attributeFallbackReason = "switchboard.fallback.reason";
export const attributeErrorCode = "switchboard.error.code";
export const attributeTimeToFirstTokenMs = "switchboard.time_to_first_token_ms";
