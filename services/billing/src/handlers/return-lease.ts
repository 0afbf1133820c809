import { returnLeaseRequestSchema, type ReturnLeaseReply, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { returnLease } from "../repositories/credit-leases.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";

/** Closes an ingress replica's lease and gives back what its generations will not consume. */
export function returnLeaseEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingReturnLease,
    requestSchema: returnLeaseRequestSchema,
    handler: async (request): Promise<ReturnLeaseReply> => ({ returnedMicros: await returnLease(dependencies.database, request) }),
  });
}
