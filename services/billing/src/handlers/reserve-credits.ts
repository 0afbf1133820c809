import { reserveRequestSchema, type ReserveReply, type ReserveRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { InsufficientCreditsError } from "../insufficient-credits-error.js";
import type { LeaseRecaller } from "../lease-recaller.js";
import { hasActiveLease } from "../repositories/credit-leases.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { reserve } from "../repositories/reservations.js";

export interface ReserveCreditsDependencies {
  database: DatabaseExecutor;
  reservationTtlSeconds: number;
  recaller: LeaseRecaller;
}

/**
 * Holds the request's upper-bound cost; 402 when the account cannot cover it. When it cannot only
 * because ingress replicas hold part of the credit in active leases, the leases are recalled (one
 * recall per account, shared by every request short at the same time) and the reservation tried once
 * more: an idle slice on one replica must not make another refuse a request that the balance covers.
 * Only accounts near empty get here, so the wait (a few hundred milliseconds at most, before what is
 * then a 402 anyway) is off the steady path.
 */
export async function reserveCredits(dependencies: ReserveCreditsDependencies, request: ReserveRequest): Promise<ReserveReply> {
  const options = { ...request, ttlSeconds: dependencies.reservationTtlSeconds };
  try {
    const reservation = await reserve(dependencies.database, options);
    return { generationId: reservation.generation_id, amountMicros: reservation.amount_micros };
  } catch (error) {
    // Closed leases still hold what their running generations may consume: only active ones can give back.
    if (!(error instanceof InsufficientCreditsError) || error.leasedMicros === 0) throw error;
    if (!(await hasActiveLease(dependencies.database, request.accountId))) throw error;
    await dependencies.recaller.recall(request.accountId);
    const reservation = await reserve(dependencies.database, options);
    return { generationId: reservation.generation_id, amountMicros: reservation.amount_micros };
  }
}

export function reserveCreditsEndpoint(dependencies: ReserveCreditsDependencies & { subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingReserve,
    requestSchema: reserveRequestSchema,
    handler: (request) => reserveCredits(dependencies, request),
  });
}
