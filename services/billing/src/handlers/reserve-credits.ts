import { setTimeout as sleep } from "node:timers/promises";
import { reserveRequestSchema, type ReserveReply, type ReserveRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { InsufficientCreditsError } from "../insufficient-credits-error.js";
import { hasActiveLease } from "../repositories/credit-leases.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { reserve } from "../repositories/reservations.js";

export interface ReserveCreditsDependencies {
  database: DatabaseExecutor;
  reservationTtlSeconds: number;
  /** Asks every ingress to close its leases on the account (a core NATS publish). */
  recallLeases: (accountId: string) => void;
  /** Pauses between tries while recalled leases come back; their sum bounds how long a 402 waits. */
  recallRetryDelaysMs?: readonly number[];
}

const defaultRecallRetryDelaysMs = [5, 10, 20, 40, 80, 120];

/**
 * Holds the request's upper-bound cost; 402 when the account cannot cover it. When it cannot only
 * because ingress replicas hold part of the credit in leases, the leases are recalled and the
 * reservation tried again while they come back: an idle slice on one replica must not make another
 * refuse a request that the balance covers. Only accounts near empty get here, so the wait (at most a
 * few hundred milliseconds, before an answer that is then a 402 anyway) is off the steady path.
 */
export async function reserveCredits(dependencies: ReserveCreditsDependencies, request: ReserveRequest): Promise<ReserveReply> {
  const options = { ...request, ttlSeconds: dependencies.reservationTtlSeconds };
  const delays = dependencies.recallRetryDelaysMs ?? defaultRecallRetryDelaysMs;
  // Checked before each try: a return closes its lease and releases its credit in one statement, so a
  // try that fails after no lease was active anymore has seen everything recalled come back.
  let leasesActive = true;
  for (let attempt = 0; ; attempt++) {
    try {
      const reservation = await reserve(dependencies.database, options);
      return { generationId: reservation.generation_id, amountMicros: reservation.amount_micros };
    } catch (error) {
      const delay = delays[attempt];
      if (!(error instanceof InsufficientCreditsError) || error.leasedMicros === 0 || !leasesActive || delay === undefined) throw error;
      // Closed leases still hold what their running generations may consume: only active ones can give back.
      if (attempt === 0 && !(await hasActiveLease(dependencies.database, request.accountId))) throw error;
      dependencies.recallLeases(request.accountId);
      await sleep(delay);
      leasesActive = await hasActiveLease(dependencies.database, request.accountId);
    }
  }
}

export function reserveCreditsEndpoint(dependencies: ReserveCreditsDependencies & { subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingReserve,
    requestSchema: reserveRequestSchema,
    handler: (request) => reserveCredits(dependencies, request),
  });
}
