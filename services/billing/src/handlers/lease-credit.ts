import { leaseCreditRequestSchema, type LeaseCreditReply, type LeaseCreditRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { grantLease } from "../repositories/credit-leases.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";

/** Grants or tops up an ingress replica's credit lease; grants nothing (not an error) near empty. */
export async function leaseCredit(database: DatabaseExecutor, request: LeaseCreditRequest, ttlSeconds: number): Promise<LeaseCreditReply> {
  const granted = await grantLease(database, { ...request, ttlSeconds });
  return { leaseId: granted.leaseId, grantedMicros: granted.grantedMicros, expiresInMs: granted.leaseId === null ? 0 : Math.round(ttlSeconds * 1000) };
}

export function leaseCreditEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects; leaseTtlSeconds: number }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingLeaseCredit,
    requestSchema: leaseCreditRequestSchema,
    handler: (request) => leaseCredit(dependencies.database, request, dependencies.leaseTtlSeconds),
  });
}
