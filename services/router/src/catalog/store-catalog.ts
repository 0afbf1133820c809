import { sql, type RawBuilder, type Transaction } from "kysely";
import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import type { CatalogFile } from "./catalog-file-schema.js";
import { endpointId } from "./endpoint-id.js";
import { endpointPriceOf } from "./endpoint-price-of.js";

/** A price column's value: the pico-dollar integer, or null when the catalog gives no such price. */
function priceColumn(picos: string | undefined): number | null {
  return picos === undefined ? null : Number(picos);
}

/** How long a catalog change waits for another one to finish, by default: far above a change's own time. */
export const defaultCatalogLockWaitMs = 5_000;
/** No statement of a catalog transaction takes longer than this; one that does is a stuck database. */
const catalogStatementTimeoutMs = 10_000;
/** PostgreSQL's SQLSTATEs for a lock wait or a statement that ran out of time. */
const timedOutStates = new Set(["55P03", "57014"]);

/**
 * Takes the catalog lock for the rest of the transaction: replicas starting together and run-time changes
 * serialize on it, so a change's revision grows in commit order and no replica stores a catalog older
 * than one already stored. It waits at most `waitMs` (then a retryable 503), and every statement of the
 * transaction after it at most 10 s: a session that holds the lock and hangs must not queue every admin
 * change and every starting replica behind it forever.
 */
export async function lockCatalog(transaction: Transaction<Database>, waitMs = defaultCatalogLockWaitMs): Promise<void> {
  // SET LOCAL takes no bind parameters; both values are integers of ours.
  await sql.raw(`SET LOCAL lock_timeout = ${Math.round(waitMs)}`).execute(transaction);
  await sql.raw(`SET LOCAL statement_timeout = ${catalogStatementTimeoutMs}`).execute(transaction);
  try {
    await sql`SELECT pg_advisory_xact_lock(hashtext('switchboard.catalog'))`.execute(transaction);
  } catch (error) {
    if (!isTimedOut(error)) throw error;
    const message = "The catalog is being changed by another request that has not finished; retry shortly.";
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.serviceUnavailable, 503, message, { retryable: true }), { cause: error });
  }
}

function isTimedOut(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" && timedOutStates.has(error.code);
}

/**
 * Writes the effective catalog (the file with run-time changes, without disabled entries) into
 * PostgreSQL (the router is the only writer of these tables), so generations and reports can join on
 * providers, models and endpoints. Models and endpoints missing from it are kept but unlisted: old
 * generations still refer to them. One statement per table and step, however large the catalog, so the
 * catalog lock is held briefly. The caller holds the catalog lock (lockCatalog).
 */
export async function storeCatalog(transaction: Transaction<Database>, file: CatalogFile): Promise<void> {
  const now = new Date();
  const providers = file.providers.map((provider) => ({
    id: provider.id,
    name: provider.name,
    api: provider.api,
    base_url: provider.base_url,
    api_key_env: provider.api_key_env ?? null,
    training: provider.data_policy.training,
    retains_prompts: provider.data_policy.retains_prompts,
    retention_days: provider.data_policy.retention_days ?? null,
    zdr: provider.data_policy.zdr,
    updated_at: now,
  }));
  if (providers.length > 0) {
    await transaction
      .insertInto("providers")
      .values(providers)
      .onConflict((conflict) => conflict.column("id").doUpdateSet(excludedColumns(["name", "api", "base_url", "api_key_env", "training", "retains_prompts", "retention_days", "zdr", "updated_at"])))
      .execute();
  }
  await transaction.updateTable("models").set({ listed: false, updated_at: now }).where("listed", "=", true).execute();
  await transaction.updateTable("endpoints").set({ listed: false, updated_at: now }).where("listed", "=", true).execute();
  const models = file.models.map((model) => ({
    id: model.id,
    name: model.name,
    description: model.description,
    context_length: model.context_length,
    input_modalities: JSON.stringify(model.input_modalities),
    output_modalities: JSON.stringify(model.output_modalities),
    listed: true,
    updated_at: now,
  }));
  if (models.length > 0) {
    await transaction
      .insertInto("models")
      .values(models)
      .onConflict((conflict) => conflict.column("id").doUpdateSet(excludedColumns(["name", "description", "context_length", "input_modalities", "output_modalities", "listed", "updated_at"])))
      .execute();
  }
  const endpoints = file.models.flatMap((model) =>
    model.endpoints.map((endpoint) => {
      const price = endpointPriceOf(endpoint.pricing);
      return {
        id: endpointId(model.id, endpoint.provider),
        model_id: model.id,
        provider_id: endpoint.provider,
        upstream_model: endpoint.upstream_model,
        prompt_price_picos: Number(price.promptPicosPerToken),
        completion_price_picos: Number(price.completionPicosPerToken),
        cache_read_price_picos: priceColumn(price.cacheReadPicosPerToken),
        cache_write_price_picos: priceColumn(price.cacheWritePicosPerToken),
        reasoning_price_picos: priceColumn(price.reasoningPicosPerToken),
        request_price_picos: priceColumn(price.requestPicos),
        image_price_picos: priceColumn(price.imagePicos),
        context_length: endpoint.context_length ?? null,
        max_completion_tokens: endpoint.max_completion_tokens ?? null,
        supported_parameters: JSON.stringify(endpoint.supported_parameters),
        listed: true,
        updated_at: now,
      };
    }),
  );
  if (endpoints.length > 0) {
    await transaction
      .insertInto("endpoints")
      .values(endpoints)
      .onConflict((conflict) =>
        conflict
          .column("id")
          .doUpdateSet(
            excludedColumns([
              "model_id",
              "provider_id",
              "upstream_model",
              "prompt_price_picos",
              "completion_price_picos",
              "cache_read_price_picos",
              "cache_write_price_picos",
              "reasoning_price_picos",
              "request_price_picos",
              "image_price_picos",
              "context_length",
              "max_completion_tokens",
              "supported_parameters",
              "listed",
              "updated_at",
            ]),
          ),
      )
      .execute();
  }
}

/**
 * `SET column = excluded.column` for each column: an upsert of many rows takes each row's own values.
 * (`never`: a reference to `excluded` has the column's own type, which kysely cannot infer from a string.)
 */
function excludedColumns<Column extends string>(columns: readonly Column[]): Record<Column, RawBuilder<never>> {
  return Object.fromEntries(columns.map((column) => [column, sql.ref<never>(`excluded.${column}`)])) as Record<Column, RawBuilder<never>>;
}
