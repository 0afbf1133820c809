import { keyChanges, keyHashSchema, type KeyRecord } from "@switchboard/contracts";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import { presentKeyRecord } from "../present-key-record.js";
import { getKeyUsageMicros, setKeyDisabled } from "../repositories/api-keys.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { keyNotFound } from "./key-not-found.js";

export interface SetKeyDisabledRequest {
  /** The key's SHA-256 hash, as key listings show it. */
  keyHash: string;
  disabled: boolean;
}

/**
 * Disables (or enables again) a key and announces it, so every ingress refuses (or accepts) it from
 * its next request on instead of when its key cache would have expired. Idempotent: doing it again
 * announces it again, which is how an operator applies a change whose announcement was lost.
 */
export async function setKeyDisabledReply(
  dependencies: { database: DatabaseExecutor; keyChangePublisher: KeyChangePublisher },
  request: SetKeyDisabledRequest,
): Promise<{ data: KeyRecord }> {
  // A malformed hash can name no key; checked here so it never reaches PostgreSQL.
  if (!keyHashSchema.safeParse(request.keyHash).success) throw keyNotFound(request.keyHash);
  const row = await setKeyDisabled(dependencies.database, request.keyHash, request.disabled);
  if (!row) throw keyNotFound(request.keyHash);
  await dependencies.keyChangePublisher.publish({ keyHash: row.key_hash, change: request.disabled ? keyChanges.disabled : keyChanges.enabled });
  return { data: presentKeyRecord(row, await getKeyUsageMicros(dependencies.database, row.id)) };
}
