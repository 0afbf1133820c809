import type { ProviderQuirks, RoutingModel } from "@switchboard/contracts";
import type { CatalogFile, CatalogQuirks } from "./catalog-file-schema.js";
import { endpointId } from "./endpoint-id.js";
import { endpointPriceOf } from "./endpoint-price-of.js";

/**
 * What the router answers from and publishes: the catalog file, resolved against which provider keys
 * are set. It holds key variable names only, never their values.
 */
export interface CatalogSnapshot {
  models: RoutingModel[];
  loadedAt: Date;
}

/** The catalog's snake_case quirks in the contracts' names; fields left out stay out. */
function providerQuirksOf(quirks: CatalogQuirks): ProviderQuirks {
  return {
    ...(quirks.output_cap_parameter === undefined ? {} : { outputCapParameter: quirks.output_cap_parameter }),
    ...(quirks.stream_usage === undefined ? {} : { streamUsage: quirks.stream_usage }),
    ...(quirks.drop_parameters === undefined ? {} : { dropParameters: quirks.drop_parameters }),
    ...(quirks.extra_parameters === undefined ? {} : { extraParameters: quirks.extra_parameters }),
  };
}

/**
 * Builds the in-memory catalog. An endpoint is usable when its provider needs no key or its key variable
 * is set; prices become exact pico-dollar integers here, once.
 */
export function buildCatalogSnapshot(file: CatalogFile, isKeyConfigured: (name: string) => boolean, loadedAt = new Date()): CatalogSnapshot {
  const providers = new Map(file.providers.map((provider) => [provider.id, provider]));
  const models: RoutingModel[] = [];
  for (const model of file.models) {
    const entry: RoutingModel = {
      id: model.id,
      name: model.name,
      description: model.description,
      contextLength: model.context_length,
      inputModalities: model.input_modalities,
      outputModalities: model.output_modalities,
      endpoints: [],
      unconfiguredProviders: [],
    };
    for (const endpoint of model.endpoints) {
      const provider = providers.get(endpoint.provider);
      if (!provider) continue; // the file schema already rejects unknown providers
      if (provider.api_key_env !== undefined && !isKeyConfigured(provider.api_key_env)) {
        entry.unconfiguredProviders.push({ providerId: provider.id, apiKeyEnv: provider.api_key_env });
        continue;
      }
      entry.endpoints.push({
        endpointId: endpointId(model.id, provider.id),
        modelId: model.id,
        providerId: provider.id,
        providerName: provider.name,
        api: provider.api,
        baseUrl: provider.base_url,
        ...(provider.api_version === undefined ? {} : { apiVersion: provider.api_version }),
        ...(provider.region === undefined ? {} : { region: provider.region }),
        ...(provider.quirks === undefined ? {} : { quirks: providerQuirksOf(provider.quirks) }),
        apiKeyEnv: provider.api_key_env ?? null,
        upstreamModel: endpoint.upstream_model,
        price: endpointPriceOf(endpoint.pricing),
        contextLength: endpoint.context_length ?? model.context_length,
        maxCompletionTokens: endpoint.max_completion_tokens ?? null,
        supportedParameters: endpoint.supported_parameters,
        ...(endpoint.quantization === undefined ? {} : { quantization: endpoint.quantization }),
        dataPolicy: {
          training: provider.data_policy.training,
          retainsPrompts: provider.data_policy.retains_prompts,
          retentionDays: provider.data_policy.retention_days ?? null,
          zdr: provider.data_policy.zdr,
        },
      });
    }
    models.push(entry);
  }
  return { models, loadedAt };
}
