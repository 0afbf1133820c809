import { RequestError, TimeoutError, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import type { z } from "zod";
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
 * retryable 503, immediately (no responders) or after `timeoutMs`, never a hang.
 */
export async function requestReply<Schema extends z.ZodType>(
  connection: NatsConnection,
  subject: string,
  payload: unknown,
  replySchema: Schema,
  options: RequestReplyOptions = {},
): Promise<z.infer<Schema>> {
  const label = options.serviceLabel ?? subject;
  let reply;
  try {
    reply = await connection.request(subject, JSON.stringify(payload), {
      timeout: options.timeoutMs ?? 5_000,
      ...(options.headers ? { headers: options.headers } : {}),
    });
  } catch (thrown) {
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
