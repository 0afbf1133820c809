/** Room in a NATS message for everything ingress adds around the client's body (candidate, ids). */
const envelopeBytes = 64 * 1024;

/**
 * The largest request body ingress can accept: MAX_BODY_BYTES, unless the NATS server's `max_payload`
 * (1 MiB by default) cannot carry it to the connector, in which case larger bodies must get a clear
 * 413 up front instead of failing after credit was reserved.
 */
export function effectiveBodyLimit(configuredBytes: number, natsMaximumPayloadBytes: number | undefined): number {
  if (natsMaximumPayloadBytes === undefined || natsMaximumPayloadBytes <= 0) return configuredBytes;
  return Math.max(1024, Math.min(configuredBytes, natsMaximumPayloadBytes - envelopeBytes));
}
