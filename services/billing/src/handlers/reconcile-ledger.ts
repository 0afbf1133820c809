import { reconcileLedgerRequestSchema, type ReconcileLedgerReply, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { reconcileLedger } from "../repositories/ledger-reconciliation.js";

/** Reconciles the ledger (balances against postings, transactions against zero), for the admin API and CLI. */
export async function reconcileLedgerReply(database: DatabaseExecutor): Promise<ReconcileLedgerReply> {
  return { data: await reconcileLedger(database) };
}

export function reconcileLedgerEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingReconcileLedger,
    requestSchema: reconcileLedgerRequestSchema,
    handler: () => reconcileLedgerReply(dependencies.database),
  });
}
