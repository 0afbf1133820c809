import {
  adminListingRequestSchema,
  settlementAnomalySchema,
  type AdminListingRequest,
  type ListSettlementAnomaliesReply,
  type Subjects,
} from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { listSettlementAnomalies } from "../repositories/settlement-anomalies.js";

/** The newest settlement anomalies: facts billing recorded instead of charging, for the admin API. */
export async function listSettlementAnomaliesReply(database: DatabaseExecutor, request: AdminListingRequest): Promise<ListSettlementAnomaliesReply> {
  const rows = await listSettlementAnomalies(database, request.limit);
  return {
    data: rows.map((row) =>
      settlementAnomalySchema.parse({
        generation_id: row.generation_id,
        account_id: row.account_id,
        key_id: row.key_id,
        lease_id: row.lease_id,
        claimed_micros: row.claimed_micros,
        reason: row.reason,
        recorded_at: row.recorded_at.toISOString(),
      }),
    ),
  };
}

export function listSettlementAnomaliesEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingListSettlementAnomalies,
    requestSchema: adminListingRequestSchema,
    handler: (request) => listSettlementAnomaliesReply(dependencies.database, request),
  });
}
