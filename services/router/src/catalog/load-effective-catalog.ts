import type { Database } from "@switchboard/db";
import type { Kysely } from "kysely";
import { applyCatalogChanges, type EffectiveCatalog } from "./apply-catalog-changes.js";
import type { CatalogFile } from "./catalog-file-schema.js";
import { readCatalogChanges } from "./catalog-changes-store.js";
import { lockCatalog, storeCatalog } from "./store-catalog.js";

/**
 * The seed file with the stored run-time changes applied. With `store`, also writes the result into the
 * catalog tables (at start: the seed may have changed), in the same transaction under the catalog lock,
 * so a replica starting during an admin change never stores a catalog older than that change's.
 */
export async function loadEffectiveCatalog(database: Kysely<Database>, seed: CatalogFile, options: { store: boolean }): Promise<EffectiveCatalog> {
  if (!options.store) return applyCatalogChanges(seed, await readCatalogChanges(database));
  return database.transaction().execute(async (transaction) => {
    await lockCatalog(transaction);
    const effective = applyCatalogChanges(seed, await readCatalogChanges(transaction));
    await storeCatalog(transaction, effective.routable);
    return effective;
  });
}
