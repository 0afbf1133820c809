import { reserveReplySchema, SwitchboardError, type AuthenticatedKey, type RouteCandidate } from "@switchboard/contracts";
import type { CreditLeases, LeaseTicket } from "../credit/credit-leases.js";
import type { ServiceClients } from "../plugins/service-clients.js";
import type { PricedCandidate } from "./prepare-candidates.js";
import { voidLostReservation } from "./void-lost-reservation.js";

/** What credit a generation holds and which candidates that amount lets it try. */
export interface HeldCredit {
  amountMicros: number;
  /** The candidates, in order, whose upper-bound cost the held amount covers. */
  candidates: RouteCandidate[];
  /** Set when the amount is held against this replica's credit lease rather than reserved by billing. */
  lease?: LeaseTicket;
}

/**
 * Holds credit for one generation before any candidate is tried: enough for the priciest candidate, so any
 * fallback is covered. In steady state the amount is held in memory against this replica's credit lease
 * (no billing round trip, no database write); when no lease covers it, or the key has a spending limit
 * (which only billing can check against the key's other generations), billing reserves it exactly. When
 * the account cannot cover that (402) but can cover the first candidate, only that much is reserved, with
 * fallbacks limited to candidates no pricier. Throws the client-facing error (402, or 503 when billing is
 * unreachable) with nothing held: after a 503 (no answer in time, or none at all) billing may have made the
 * reservation, or may still make it, so ingress asks billing to void it (`voidLostReservation`).
 */
export async function reserveCredit(
  clients: Pick<ServiceClients, "request" | "subjects"> & Partial<Pick<ServiceClients, "requestTimeoutMs">>,
  key: AuthenticatedKey,
  generationId: string,
  candidates: readonly PricedCandidate[],
  leases: CreditLeases | null = null,
): Promise<HeldCredit> {
  const bounds = candidates.map((priced) => priced.maximumCostMicros);
  const everyCandidate = Math.max(...bounds);
  const firstCandidate = bounds[0] ?? everyCandidate;
  const lease = key.spendingLimited === true ? null : leases?.tryHold(key.accountId, everyCandidate);
  if (lease) return { amountMicros: everyCandidate, candidates: candidates.map((priced) => priced.candidate), lease };
  const reserve = async (amountMicros: number) => {
    try {
      await clients.request(
        clients.subjects.billingReserve,
        {
          generationId,
          accountId: key.accountId,
          keyId: key.keyId,
          amountMicros,
          ...(key.spendingLimited === true ? { keyLimited: true } : {}),
          // This replica stops waiting then: billing skips the reservation if it is still queued by that time.
          ...(clients.requestTimeoutMs === undefined ? {} : { deadlineEpochMs: Date.now() + clients.requestTimeoutMs }),
        },
        reserveReplySchema,
        "billing",
      );
    } catch (error) {
      // A 503 is the only failure that leaves the outcome unknown: billing answered every other error.
      if (error instanceof SwitchboardError && error.error.status === 503) voidLostReservation(clients, key, generationId);
      throw error;
    }
  };
  try {
    await reserve(everyCandidate);
    return { amountMicros: everyCandidate, candidates: candidates.map((priced) => priced.candidate) };
  } catch (error) {
    // Holding enough for the priciest fallback may be more than the account has; the first (cheapest
    // by default) candidate alone may still be affordable, with fallbacks limited to what that covers.
    if (!(error instanceof SwitchboardError && error.error.status === 402) || firstCandidate >= everyCandidate) throw error;
    await reserve(firstCandidate);
    return {
      amountMicros: firstCandidate,
      candidates: candidates.filter((priced) => priced.maximumCostMicros <= firstCandidate).map((priced) => priced.candidate),
    };
  }
}
