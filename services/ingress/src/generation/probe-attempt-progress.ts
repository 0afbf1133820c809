import { setTimeout as sleep } from "node:timers/promises";
import { attemptProgressSchema, SwitchboardError, type AttemptProgress } from "@switchboard/contracts";
import { requestReply } from "@switchboard/messaging";
import type { ServiceClients } from "../plugins/service-clients.js";

/**
 * How long to keep asking after the question first fails. Services reconnect to a restarted NATS
 * within a few hundred milliseconds; the connector that ran the attempt may come back a little after us.
 */
const askForMs = 1_500;
/** Only the replica that ran the attempt answers; the others stay silent, so a short wait decides. */
const answerTimeoutMs = 400;
const pauseMs = 100;

/**
 * Asks the connectors how far the attempt reading from `inbox` got. Null when none answers within the
 * window: the attempt is unknown (the connector restarted) or the bus is still down, and the parts not
 * received are then lost either way.
 */
export async function probeAttemptProgress(clients: Pick<ServiceClients, "connection" | "state" | "subjects">, inbox: string): Promise<AttemptProgress | null> {
  const deadline = performance.now() + askForMs;
  for (;;) {
    if (clients.state.connected) {
      try {
        return await requestReply(clients.connection, clients.subjects.connectorAttemptProgress, { replyTo: inbox }, attemptProgressSchema, {
          timeoutMs: answerTimeoutMs,
          serviceLabel: "provider-connector",
        });
      } catch (error) {
        if (!(error instanceof SwitchboardError)) throw error;
      }
    }
    if (performance.now() >= deadline) return null;
    await sleep(pauseMs);
  }
}
