import { voidReservationRequestSchema, type Subjects, type VoidReservationReply } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { voidReservation } from "../repositories/void-reservation.js";

/** Voids the reservation of a generation whose reserve reply ingress never got (it may exist or not, yet). */
export function voidReservationEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingVoidReservation,
    requestSchema: voidReservationRequestSchema,
    handler: async (request): Promise<VoidReservationReply> => ({ releasedMicros: await voidReservation(dependencies.database, request) }),
  });
}
