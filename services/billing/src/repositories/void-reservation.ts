import type { VoidReservationRequest } from "@switchboard/contracts";
import { sql } from "kysely";
import { isForeignKeyViolation, isUuid, type DatabaseExecutor } from "./database-executor.js";

/**
 * Voids a generation's reservation for ingress, which asked to reserve it and never got the answer (issue
 * 10): the reservation may have been made, or the request may still be on its way. In one statement:
 *
 * - a pending reservation of the account and key is voided and its hold released at once (not at expiry);
 * - when there is none yet, a tombstone is written: the generation's reservation row, already `voided`,
 *   holding 0. A reserve arriving later conflicts on the generation id and is refused (the generation has
 *   ended), so it cannot hold credit nobody will ever settle.
 *
 * Idempotent: a reservation already resolved (or another account's) is left alone. A reserve committed
 * between this statement's snapshot and its insert is seen by one retry. Returns the released amount.
 */
export async function voidReservation(database: DatabaseExecutor, request: VoidReservationRequest, options: { now?: Date } = {}): Promise<number> {
  const { generationId, accountId, keyId } = request;
  if (!isUuid(accountId) || !isUuid(keyId)) return 0;
  const now = options.now ?? new Date();
  for (let attempt = 0; attempt < 2; attempt++) {
    let rows: { released_micros: number | null; tombstone: boolean }[];
    try {
      ({ rows } = await sql<{ released_micros: number | null; tombstone: boolean }>`
        WITH voided AS (
          UPDATE reservations SET status = 'voided', resolved_at = ${now}::timestamptz
          WHERE generation_id = ${generationId} AND status = 'pending' AND account_id = ${accountId}::uuid AND key_id = ${keyId}::uuid
          RETURNING account_id, amount_micros
        ), released AS (
          UPDATE accounts SET reserved_micros = accounts.reserved_micros - voided.amount_micros
          FROM voided WHERE accounts.id = voided.account_id
          RETURNING voided.amount_micros
        ), tombstone AS (
          INSERT INTO reservations (generation_id, account_id, key_id, amount_micros, status, charged_micros, resolved_at, expires_at)
          SELECT ${generationId}, ${accountId}::uuid, ${keyId}::uuid, 0, 'voided', NULL, ${now}::timestamptz, ${now}::timestamptz
          WHERE NOT EXISTS (SELECT 1 FROM reservations WHERE generation_id = ${generationId})
          ON CONFLICT (generation_id) DO NOTHING
          RETURNING generation_id
        )
        SELECT (SELECT amount_micros FROM released) AS released_micros, EXISTS (SELECT 1 FROM tombstone) AS tombstone
      `.execute(database));
    } catch (error) {
      // The account or key does not exist: nothing can be reserved for it either.
      if (isForeignKeyViolation(error)) return 0;
      throw error;
    }
    const row = rows[0];
    if (row?.released_micros != null) return Number(row.released_micros);
    if (row?.tombstone) return 0;
    // Neither: the reservation is resolved already, another account's, or a reserve committed while this
    // statement ran (its snapshot did not see the row its insert then conflicted with): look once more.
    const pending = await database.selectFrom("reservations").select("status").where("generation_id", "=", generationId).executeTakeFirst();
    if (pending?.status !== "pending") return 0;
  }
  return 0;
}
