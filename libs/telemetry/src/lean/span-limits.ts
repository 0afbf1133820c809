import { getNumberFromEnv } from "@opentelemetry/core";

/** The span limits of the SDK's environment variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#span-limits). */
export interface SpanLimits {
  attributeCount: number;
  /** Longest string attribute value; longer ones are cut. */
  attributeValueLength: number;
  eventCount: number;
  linkCount: number;
}

export function spanLimitsFromEnvironment(): SpanLimits {
  return {
    attributeCount: getNumberFromEnv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT") ?? getNumberFromEnv("OTEL_ATTRIBUTE_COUNT_LIMIT") ?? 128,
    attributeValueLength: getNumberFromEnv("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT") ?? getNumberFromEnv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT") ?? Number.POSITIVE_INFINITY,
    eventCount: getNumberFromEnv("OTEL_SPAN_EVENT_COUNT_LIMIT") ?? 128,
    linkCount: getNumberFromEnv("OTEL_SPAN_LINK_COUNT_LIMIT") ?? 128,
  };
}
