import { z } from "zod";
import { tokenUsageSchema } from "../chat/stream-part.js";
import { endpointPriceSchema } from "../pricing/endpoint-price.js";
import { generationApiTypeSchema } from "./generation-completed.js";
import { generationOriginSchema } from "./generation-origin.js";

/**
 * The provider connector's durable account of one attempt that produced output (JetStream, message id
 * `<generation id>:<attempt>`), published after the attempt's last part went to ingress when that ingress
 * has not (yet) said its completion fact is stored: held until its heartbeat vouches for the fact, and
 * published if it goes silent first, after a bounded hold, or at the connector's shutdown (issue 10). It
 * is the second witness of a generation beside ingress's completion fact: billing charges from it, and
 * metadata-logging records from it, only when no completion fact came within a grace period (ingress died
 * after answering, or while the connector was still streaming). Metadata only: no prompt or completion text.
 */
export const connectorUsageReportSchema = z.object({
  generationId: z.string().min(1).max(200),
  /** As the generate request named it: ingress replica, account, key, attempt and lease hold. */
  origin: generationOriginSchema,
  endpointId: z.string().min(1).max(512),
  modelId: z.string().max(512),
  providerId: z.string().max(512),
  providerName: z.string().max(512),
  /** The endpoint's price in the connector's routing snapshot when the attempt ran. */
  price: endpointPriceSchema,
  /** The provider's usage, or the connector's estimate from the produced output when it gave none. */
  usage: tokenUsageSchema,
  usageEstimated: z.boolean(),
  /** The provider's finish reason, normalized; null when the attempt did not end normally. */
  finishReason: z.string().max(200).nullable(),
  /** How the attempt ended: the whole answer, an upstream failure after output, or stopped by us. */
  outcome: z.enum(["completed", "failed", "aborted"]),
  /** True when the connector stopped the upstream call because the ingress replica went silent. */
  ingressSilent: z.boolean(),
  streamed: z.boolean(),
  upstreamId: z.string().max(512).nullable(),
  /** Milliseconds from the attempt's start to its end, and to its first output. */
  latencyMs: z.number().int().nonnegative(),
  timeToFirstTokenMs: z.number().int().nonnegative().nullable(),
  /** When the attempt started (ISO 8601), the generation's best known start. */
  startedAt: z.string().max(64),
  /** The API the attempt served; absent in reports older than the field, which were all `completions`. */
  apiType: generationApiTypeSchema.optional(),
});
export type ConnectorUsageReport = z.infer<typeof connectorUsageReportSchema>;
