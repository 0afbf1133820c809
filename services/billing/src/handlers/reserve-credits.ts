import { reserveRequestSchema, type ReserveReply, type ReserveRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { reserve } from "../repositories/reservations.js";

/** Holds the request's upper-bound cost; 402 when the account cannot cover it. */
export async function reserveCredits(
  database: DatabaseExecutor,
  request: ReserveRequest,
  reservationTtlSeconds: number,
): Promise<ReserveReply> {
  const reservation = await reserve(database, { ...request, ttlSeconds: reservationTtlSeconds });
  return { generationId: reservation.generation_id, amountMicros: reservation.amount_micros };
}

export function reserveCreditsEndpoint(dependencies: {
  database: DatabaseExecutor;
  subjects: Subjects;
  reservationTtlSeconds: number;
}): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingReserve,
    requestSchema: reserveRequestSchema,
    handler: (request) => reserveCredits(dependencies.database, request, dependencies.reservationTtlSeconds),
  });
}
