import { sql, type Transaction } from "kysely";
import { parseUsdPerTokenToPicos } from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import type { CatalogFile } from "./catalog-file-schema.js";
import { endpointId } from "./endpoint-id.js";

/**
 * Takes the catalog lock for the rest of the transaction: replicas starting together and run-time changes
 * serialize on it, so a change's revision grows in commit order and no replica stores a catalog older
 * than one already stored.
 */
export async function lockCatalog(transaction: Transaction<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('switchboard.catalog'))`.execute(transaction);
}

/**
 * Writes the effective catalog (the file with run-time changes, without disabled entries) into
 * PostgreSQL (the router is the only writer of these tables), so generations and reports can join on
 * providers, models and endpoints. Models and endpoints missing from it are kept but unlisted: old
 * generations still refer to them. The caller holds the catalog lock (lockCatalog).
 */
export async function storeCatalog(transaction: Transaction<Database>, file: CatalogFile): Promise<void> {
  const now = new Date();
  for (const provider of file.providers) {
    const row = {
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
    };
    await transaction.insertInto("providers").values(row).onConflict((conflict) => conflict.column("id").doUpdateSet(row)).execute();
  }
  await transaction.updateTable("models").set({ listed: false, updated_at: now }).execute();
  await transaction.updateTable("endpoints").set({ listed: false, updated_at: now }).execute();
  for (const model of file.models) {
    const row = {
      id: model.id,
      name: model.name,
      description: model.description,
      context_length: model.context_length,
      input_modalities: JSON.stringify(model.input_modalities),
      output_modalities: JSON.stringify(model.output_modalities),
      listed: true,
      updated_at: now,
    };
    await transaction.insertInto("models").values(row).onConflict((conflict) => conflict.column("id").doUpdateSet(row)).execute();
    for (const endpoint of model.endpoints) {
      const endpointRow = {
        id: endpointId(model.id, endpoint.provider),
        model_id: model.id,
        provider_id: endpoint.provider,
        upstream_model: endpoint.upstream_model,
        prompt_price_picos: Number(parseUsdPerTokenToPicos(endpoint.pricing.prompt)),
        completion_price_picos: Number(parseUsdPerTokenToPicos(endpoint.pricing.completion)),
        context_length: endpoint.context_length ?? null,
        max_completion_tokens: endpoint.max_completion_tokens ?? null,
        supported_parameters: JSON.stringify(endpoint.supported_parameters),
        listed: true,
        updated_at: now,
      };
      await transaction
        .insertInto("endpoints")
        .values(endpointRow)
        .onConflict((conflict) => conflict.column("id").doUpdateSet(endpointRow))
        .execute();
    }
  }
}
