import { createHash } from "node:crypto";
import type { CatalogFile } from "./catalog-file-schema.js";

/**
 * A short digest of the validated catalog file (its `${NAME}` references expanded): equal for replicas that
 * loaded the same seed, so a replica can tell another one runs a different file at the same revision.
 */
export function seedDigest(seed: CatalogFile): string {
  return createHash("sha256").update(JSON.stringify(seed)).digest("hex").slice(0, 16);
}
