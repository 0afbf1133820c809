import { adminAuditEntrySchema, adminListingRequestSchema, type AdminListingRequest, type ListAdminAuditReply, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { listAdminActions } from "../repositories/admin-audit.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";

/** The newest audited admin operations, for the admin API. */
export async function listAdminAuditReply(database: DatabaseExecutor, request: AdminListingRequest): Promise<ListAdminAuditReply> {
  const rows = await listAdminActions(database, request.limit);
  return {
    data: rows.map((row) =>
      adminAuditEntrySchema.parse({
        id: row.id,
        action: row.action,
        actor: row.actor,
        client_address: row.client_address,
        account_id: row.account_id,
        key_hash: row.key_hash,
        amount_micros: row.amount_micros,
        data_policy: row.data_policy,
        request_id: row.request_id,
        created_at: row.created_at.toISOString(),
      }),
    ),
  };
}

export function listAdminAuditEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingListAdminAudit,
    requestSchema: adminListingRequestSchema,
    handler: (request) => listAdminAuditReply(dependencies.database, request),
  });
}
