import type { ColumnType, Selectable } from "kysely";

/**
 * Run-time catalog changes, applied by the router over the catalog file (the seed). Written only by the
 * router. `document` is the catalog file's shape of the entry, validated by the router's catalog schemas.
 */
export interface CatalogChangesTable {
  kind: "provider" | "model" | "endpoint";
  id: string;
  document: ColumnType<unknown, string | null, string | null>;
  disabled: boolean;
  /** From the sequence `catalog_change_revisions`, taken under the catalog lock: grows in commit order. */
  revision: ColumnType<number, never, number>;
  changed_at: ColumnType<Date, Date | undefined, Date>;
  changed_by: string;
  request_id: string | null;
}
export type CatalogChangeRow = Selectable<CatalogChangesTable>;
