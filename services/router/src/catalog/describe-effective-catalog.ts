import type { CatalogEntryKind, CatalogEntryChangeReply, GetCatalogReply } from "@switchboard/contracts";
import { catalogEntryKey, type EffectiveCatalog } from "./apply-catalog-changes.js";
import { endpointId } from "./endpoint-id.js";

type CatalogView = GetCatalogReply["data"];

/** The effective catalog as the admin API shows it: every entry in the file's shape, with its source and flag. */
export function describeEffectiveCatalog(effective: EffectiveCatalog): CatalogView {
  const status = (kind: CatalogEntryKind, id: string) => {
    const key = catalogEntryKey(kind, id);
    const change = effective.changes.get(key);
    return {
      id,
      source: effective.runtime.has(key) ? ("runtime" as const) : ("seed" as const),
      disabled: effective.disabled.has(key),
      changed_at: change?.changedAt.toISOString() ?? null,
      changed_by: change?.changedBy ?? null,
    };
  };
  return {
    revision: effective.revision,
    providers: effective.file.providers.map((provider) => ({ ...status("provider", provider.id), document: provider })),
    models: effective.file.models.map(({ endpoints, ...model }) => ({
      ...status("model", model.id),
      document: model,
      endpoints: endpoints.map((endpoint) => ({ ...status("endpoint", endpointId(model.id, endpoint.provider)), document: endpoint })),
    })),
    ignored: effective.ignored.map((entry) => ({
      kind: entry.kind,
      id: entry.id,
      reason: entry.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; "),
    })),
  };
}

/** One entry of the effective catalog as the admin API shows it; null when the catalog has none. */
export function describeCatalogEntry(effective: EffectiveCatalog, kind: CatalogEntryKind, id: string): CatalogEntryChangeReply["data"] | null {
  const view = describeEffectiveCatalog(effective);
  if (kind === "provider") return view.providers.find((provider) => provider.id === id) ?? null;
  if (kind === "model") return view.models.find((model) => model.id === id) ?? null;
  return view.models.flatMap((model) => model.endpoints).find((endpoint) => endpoint.id === id) ?? null;
}
