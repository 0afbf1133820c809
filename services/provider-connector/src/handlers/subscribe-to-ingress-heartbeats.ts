import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { ingressHeartbeatSchema, type Subjects } from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import type { HeldUsageReports } from "./held-usage-reports.js";
import type { IngressLiveness } from "./ingress-liveness.js";

/**
 * Listens to every ingress replica's heartbeat (no queue group: every connector replica needs them all).
 * A callback subscription, so a heartbeat is never queued behind other work and mistaken for silence.
 */
export function subscribeToIngressHeartbeats(options: {
  connection: NatsConnection;
  subjects: Pick<Subjects, "ingressHeartbeat">;
  liveness: IngressLiveness;
  /** Told which generations' facts each replica has stored, so it drops their usage reports. */
  heldReports?: Pick<HeldUsageReports, "vouched">;
  logger: Logger;
}): Subscription {
  return options.connection.subscribe(options.subjects.ingressHeartbeat, {
    callback: (error, message) => {
      if (error) {
        options.logger.error({ err: error }, "ingress heartbeat subscription failed");
        return;
      }
      let payload: unknown;
      try {
        payload = message.json();
      } catch {
        return;
      }
      const heartbeat = ingressHeartbeatSchema.safeParse(payload);
      if (!heartbeat.success) return;
      options.liveness.heard(heartbeat.data.ingressId);
      if (heartbeat.data.facts) options.heldReports?.vouched(heartbeat.data.ingressId, heartbeat.data.facts);
    },
  });
}
