import { RequestError, TimeoutError, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { SpanKind } from "@opentelemetry/api";
import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { isTracing, markSpanFailed, messagingMetrics, messagingOperationTypes } from "@switchboard/telemetry";
import type { z } from "zod";
import { startMessagingSpan } from "./messaging-span.js";
import { injectSpanTraceContext } from "./trace-context-headers.js";
import { readErrorReply } from "./wire-error.js";

export interface RequestReplyOptions {
  timeoutMs?: number;
  headers?: MsgHdrs;
  /** Named in the 503 message so an operator knows which service to look at. */
  serviceLabel?: string;
}

/**
 * Sends a JSON request and parses the reply with `replySchema`. Failures always come back as a
 * SwitchboardError: an error reply as the GatewayError it carries; no responders or a timeout as a
 * retryable 503, immediately (no responders) or after `timeoutMs`, never a hang. Traced as a CLIENT span
 * whose context travels in the request's headers, so the answering service's span is its child. The wait
 * for the reply is recorded in `switchboard_nats_request_duration_seconds` by subject pattern.
 */
export function requestReply<Schema extends z.ZodType>(
  connection: NatsConnection,
  subject: string,
  payload: unknown,
  replySchema: Schema,
  options: RequestReplyOptions = {},
): Promise<z.infer<Schema>> {
  // Off, no span and no extra promise on the request path.
  if (!isTracing()) return requestAndParse(connection, subject, payload, replySchema, options, options.headers);
  return requestInClientSpan(connection, subject, payload, replySchema, options);
}

async function requestInClientSpan<Schema extends z.ZodType>(
  connection: NatsConnection,
  subject: string,
  payload: unknown,
  replySchema: Schema,
  options: RequestReplyOptions,
): Promise<z.infer<Schema>> {
  const span = startMessagingSpan({ kind: SpanKind.CLIENT, operationType: messagingOperationTypes.send, operationName: "request", subject });
  try {
    return await requestAndParse(connection, subject, payload, replySchema, options, injectSpanTraceContext(options.headers, span));
  } catch (thrown) {
    markSpanFailed(span, thrown instanceof SwitchboardError ? thrown.error.code : "unexpected");
    throw thrown;
  } finally {
    span.end();
  }
}

async function requestAndParse<Schema extends z.ZodType>(
  connection: NatsConnection,
  subject: string,
  payload: unknown,
  replySchema: Schema,
  options: RequestReplyOptions,
  headers: MsgHdrs | undefined,
): Promise<z.infer<Schema>> {
  const label = options.serviceLabel ?? subject;
  let reply;
  const startedAt = performance.now();
  try {
    reply = await connection.request(subject, JSON.stringify(payload), {
      timeout: options.timeoutMs ?? 5_000,
      ...(headers ? { headers } : {}),
    });
    messagingMetrics().recordRequest(subject, (performance.now() - startedAt) / 1000);
  } catch (thrown) {
    messagingMetrics().recordRequest(subject, (performance.now() - startedAt) / 1000);
    const noResponders = thrown instanceof RequestError && thrown.isNoResponders();
    const timedOut = thrown instanceof TimeoutError || (thrown instanceof Error && thrown.message === "timeout");
    const message = noResponders
      ? `The ${label} service is not running. Retry shortly; if it persists, check that the service is up.`
      : timedOut
        ? `The ${label} service did not answer in time. Retry shortly.`
        : `The ${label} service could not be reached. Retry shortly.`;
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.serviceUnavailable, 503, message, { retryable: true }), { cause: thrown });
  }
  const error = readErrorReply(reply);
  if (error) throw new SwitchboardError(error);
  const parsed = replySchema.safeParse(reply.json());
  if (!parsed.success) {
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.internal, 500, `The ${label} service sent a malformed reply`, { retryable: true }));
  }
  return parsed.data;
}
