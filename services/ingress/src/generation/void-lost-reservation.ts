import { voidReservationReplySchema, type AuthenticatedKey } from "@switchboard/contracts";
import type { ServiceClients } from "../plugins/service-clients.js";

/** Tries after the first, and the pause before each: a billing that just timed out may need a moment. */
const retryDelaysMs = [250, 1_000] as const;

/**
 * Asks billing to void a generation's reservation after the reserve request failed without an answer
 * (issue 10: "a reservation whose reply was lost also stays held until expiry"). The reservation may have
 * been made, or the request may still be queued; billing's void releases the first at once and leaves a
 * tombstone that refuses the second. Fire-and-forget: the client already has its 503, so this never throws
 * and never delays it; what a few tries cannot void, the expiry sweeper still releases.
 */
export function voidLostReservation(clients: Pick<ServiceClients, "request" | "subjects">, key: AuthenticatedKey, generationId: string): void {
  const request = { generationId, accountId: key.accountId, keyId: key.keyId };
  const attempt = async (index: number): Promise<void> => {
    try {
      await clients.request(clients.subjects.billingVoidReservation, request, voidReservationReplySchema, "billing");
    } catch {
      const delay = retryDelaysMs[index];
      if (delay === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      await attempt(index + 1);
    }
  };
  void attempt(0);
}
