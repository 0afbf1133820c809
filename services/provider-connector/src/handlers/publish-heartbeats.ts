import type { NumberedPartPublisher } from "./numbered-part-publisher.js";

/** Default of `CONNECTOR_HEARTBEAT_MS`: well inside ingress's idle timeout, few messages per generation. */
export const defaultHeartbeatIntervalMs = 5_000;

/**
 * Publishes a numbered `heartbeat` part every `intervalMs` until the returned function is called, so
 * ingress tells a model that is thinking silently from a connector that died. Heartbeats take sequence
 * numbers like any part (ingress detects a lost one) and stop with the terminal part: the publisher drops
 * anything after it, and the caller stops the timer on every exit path.
 */
export function publishHeartbeats(parts: NumberedPartPublisher, intervalMs: number): () => void {
  const timer = setInterval(() => {
    if (parts.ended) {
      clearInterval(timer);
      return;
    }
    try {
      parts.publish({ type: "heartbeat" });
    } catch {
      // The connection is closing (shutdown): a throw here would be uncaught and end the connector. A
      // heartbeat that cannot go out is only a missed proof of life; ingress's idle timer covers it.
    }
  }, intervalMs);
  return () => clearInterval(timer);
}
