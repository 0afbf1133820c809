import type { AdminCaller, CatalogEntryKind } from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import { sql, type Kysely, type Transaction } from "kysely";
import type { CatalogChange } from "./apply-catalog-changes.js";

/** Every stored run-time catalog change (a few rows per entry an admin touched; read whole). */
export async function readCatalogChanges(database: Kysely<Database> | Transaction<Database>): Promise<CatalogChange[]> {
  const rows = await database.selectFrom("catalog_changes").selectAll().execute();
  return rows.map((row) => ({
    kind: row.kind,
    id: row.id,
    document: row.document,
    disabled: row.disabled,
    revision: row.revision,
    changedAt: row.changed_at,
    changedBy: row.changed_by,
  }));
}

/**
 * The newest stored change's revision (0: none). One aggregate over a table of one row per changed entry:
 * cheap enough for every replica to ask every few seconds whether a change was stored that no snapshot
 * carried yet.
 */
export async function newestCatalogRevision(database: Kysely<Database>): Promise<number> {
  const row = await database.selectFrom("catalog_changes").select((builder) => builder.fn.max("revision").as("revision")).executeTakeFirst();
  return Number(row?.revision ?? 0);
}

/**
 * Adds or replaces an entry's change with a new revision. Run under the catalog lock (lockCatalog), so
 * revisions grow in commit order.
 */
export async function writeCatalogChange(
  transaction: Transaction<Database>,
  change: { kind: CatalogEntryKind; id: string; document: unknown; disabled: boolean; caller: AdminCaller },
): Promise<void> {
  const values = {
    document: change.document === null || change.document === undefined ? null : JSON.stringify(change.document),
    disabled: change.disabled,
    changed_by: change.caller.actor,
    request_id: change.caller.requestId,
  };
  await transaction
    .insertInto("catalog_changes")
    .values({ kind: change.kind, id: change.id, ...values })
    .onConflict((conflict) =>
      conflict.columns(["kind", "id"]).doUpdateSet({ ...values, changed_at: new Date(), revision: sql<number>`nextval('catalog_change_revisions')` }),
    )
    .execute();
}

/**
 * A model's put carries its endpoints: the documents earlier endpoint changes of that model set are
 * replaced by it, so they are dropped. The disabled flags of the endpoints it keeps stay; the rows of the
 * endpoints it drops go entirely, so putting such an endpoint back later does not bring back an old flag
 * that nobody could see or clear while the endpoint was gone.
 */
export async function clearEndpointDocumentsOf(transaction: Transaction<Database>, modelId: string, keptProviderIds: readonly string[]): Promise<void> {
  const kept = keptProviderIds.map((providerId) => `${modelId}@${providerId}`);
  let dropped = transaction.deleteFrom("catalog_changes").where("kind", "=", "endpoint").where(sql<boolean>`starts_with(id, ${`${modelId}@`})`);
  if (kept.length > 0) dropped = dropped.where("id", "not in", kept);
  await dropped.execute();
  if (kept.length > 0) await transaction.updateTable("catalog_changes").set({ document: null }).where("kind", "=", "endpoint").where("id", "in", kept).execute();
}
