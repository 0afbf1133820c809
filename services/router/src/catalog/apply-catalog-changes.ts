import type { CatalogEntryKind } from "@switchboard/contracts";
import { catalogDocumentSchemas, catalogFileSchema, type CatalogFile } from "./catalog-file-schema.js";
import { endpointId } from "./endpoint-id.js";

/** One stored run-time change (a `catalog_changes` row): an entry's document, its disabled flag, or both. */
export interface CatalogChange {
  kind: CatalogEntryKind;
  /** A provider id, a model id, or an endpoint id `<model id>@<provider id>`. */
  id: string;
  /** The entry in the catalog file's shape; null when only the disabled flag was set. */
  document: unknown;
  disabled: boolean;
  revision: number;
  changedAt: Date;
  changedBy: string;
}

/** A problem with one field, its path relative to the change's own document. */
export interface CatalogChangeIssue {
  path: PropertyKey[];
  message: string;
}

/** A stored change that could not be applied over this seed (the file changed under it), and why. */
export interface IgnoredCatalogChange {
  kind: CatalogEntryKind;
  id: string;
  issues: CatalogChangeIssue[];
}

/** The seed file with the run-time changes applied. */
export interface EffectiveCatalog {
  /** Every entry, disabled ones included; valid by `catalogFileSchema`. */
  file: CatalogFile;
  /** What routes and is listed: `file` without disabled entries, and without models left with no endpoint. */
  routable: CatalogFile;
  /** Keys `<kind>:<id>` of disabled entries. */
  disabled: ReadonlySet<string>;
  /** Keys `<kind>:<id>` of entries whose document a run-time change set (a model's put sets its endpoints'). */
  runtime: ReadonlySet<string>;
  /** The applied change of each entry, by key `<kind>:<id>`. */
  changes: ReadonlyMap<string, CatalogChange>;
  ignored: IgnoredCatalogChange[];
  /** The newest change's revision; 0 when there is none. */
  revision: number;
}

/** The key of an entry in `EffectiveCatalog`'s sets and maps. */
export function catalogEntryKey(kind: CatalogEntryKind, id: string): string {
  return `${kind}:${id}`;
}

/** Splits an endpoint id `<model id>@<provider id>`; neither id can contain "@". */
export function splitEndpointId(id: string): { modelId: string; providerId: string } {
  const at = id.lastIndexOf("@");
  return { modelId: id.slice(0, at), providerId: id.slice(at + 1) };
}

/** Providers before models before endpoints: a model may name a provider added at run time, and so on. */
const kindOrder: Record<CatalogEntryKind, number> = { provider: 0, model: 1, endpoint: 2 };

/**
 * Applies run-time changes over the seed catalog file. Documents first, by kind (providers, models,
 * endpoints; a model's put clears its endpoints' own documents, so an endpoint's document is always newer
 * than its model's): each adds its entry or replaces the one with its id, and the whole catalog is
 * validated again after each, so a change that would break it (an endpoint naming an unknown provider, an
 * endpoint of a model the seed no longer has) is ignored and reported rather than applied. Then the
 * disabled flags: a disabled provider takes its endpoints out of every model, a model left without an
 * endpoint is out of routing like a disabled one. Entries without a change keep following the seed.
 */
export function applyCatalogChanges(seed: CatalogFile, changes: readonly CatalogChange[]): EffectiveCatalog {
  let file: CatalogFile = seed;
  const runtime = new Set<string>();
  const applied = new Map<string, CatalogChange>();
  const ignored: IgnoredCatalogChange[] = [];
  const ordered = [...changes].sort((left, right) => kindOrder[left.kind] - kindOrder[right.kind] || left.revision - right.revision);
  for (const change of ordered) {
    const key = catalogEntryKey(change.kind, change.id);
    applied.set(key, change);
    if (change.document === null || change.document === undefined) continue;
    const result = applyDocument(file, change);
    if ("issues" in result) {
      ignored.push({ kind: change.kind, id: change.id, issues: result.issues });
      continue;
    }
    file = result.file;
    runtime.add(key);
    if (change.kind === "model") {
      for (const endpoint of file.models.find((model) => model.id === change.id)?.endpoints ?? []) runtime.add(catalogEntryKey("endpoint", endpointId(change.id, endpoint.provider)));
    }
  }
  const disabled = new Set<string>();
  for (const change of ordered) {
    if (!change.disabled) continue;
    if (!entryExists(file, change.kind, change.id)) {
      ignored.push({ kind: change.kind, id: change.id, issues: [{ path: [], message: `disabled, but the catalog has no ${change.kind} "${change.id}"` }] });
      continue;
    }
    disabled.add(catalogEntryKey(change.kind, change.id));
  }
  const revision = changes.reduce((newest, change) => Math.max(newest, change.revision), 0);
  return { file, routable: withoutDisabled(file, disabled), disabled, runtime, changes: applied, ignored, revision };
}

/** Whether the catalog has the entry (disabled or not). */
export function entryExists(file: CatalogFile, kind: CatalogEntryKind, id: string): boolean {
  if (kind === "provider") return file.providers.some((provider) => provider.id === id);
  if (kind === "model") return file.models.some((model) => model.id === id);
  const { modelId, providerId } = splitEndpointId(id);
  return file.models.some((model) => model.id === modelId && model.endpoints.some((endpoint) => endpoint.provider === providerId));
}

function applyDocument(file: CatalogFile, change: CatalogChange): { file: CatalogFile } | { issues: CatalogChangeIssue[] } {
  const parsedDocument = catalogDocumentSchemas[change.kind].safeParse(change.document);
  if (!parsedDocument.success) return { issues: parsedDocument.error.issues.map((issue) => ({ path: issue.path, message: issue.message })) };
  const document = parsedDocument.data;
  // The entry's place in the catalog, so an issue there is reported relative to the document.
  let prefix: PropertyKey[];
  let candidate: CatalogFile;
  if (change.kind === "provider") {
    const provider = document as CatalogFile["providers"][number];
    if (provider.id !== change.id) return { issues: [{ path: ["id"], message: `must be "${change.id}", the provider the change is for` }] };
    const index = indexOrEnd(file.providers, (entry) => entry.id === change.id);
    candidate = { ...file, providers: replaceAt(file.providers, index, provider) };
    prefix = ["providers", index];
  } else if (change.kind === "model") {
    const model = document as CatalogFile["models"][number];
    if (model.id !== change.id) return { issues: [{ path: ["id"], message: `must be "${change.id}", the model the change is for` }] };
    const index = indexOrEnd(file.models, (entry) => entry.id === change.id);
    candidate = { ...file, models: replaceAt(file.models, index, model) };
    prefix = ["models", index];
  } else {
    const endpoint = document as CatalogFile["models"][number]["endpoints"][number];
    const { modelId, providerId } = splitEndpointId(change.id);
    if (endpoint.provider !== providerId) return { issues: [{ path: ["provider"], message: `must be "${providerId}", the provider the change is for` }] };
    const modelIndex = file.models.findIndex((model) => model.id === modelId);
    const model = file.models[modelIndex];
    if (!model) return { issues: [{ path: [], message: `the catalog has no model "${modelId}"` }] };
    const endpointIndex = indexOrEnd(model.endpoints, (entry) => entry.provider === providerId);
    candidate = { ...file, models: replaceAt(file.models, modelIndex, { ...model, endpoints: replaceAt(model.endpoints, endpointIndex, endpoint) }) };
    prefix = ["models", modelIndex, "endpoints", endpointIndex];
  }
  const validated = catalogFileSchema.safeParse(candidate);
  if (validated.success) return { file: validated.data };
  return { issues: validated.error.issues.map((issue) => ({ path: relativePath(issue.path, prefix), message: issue.message })) };
}

function relativePath(path: PropertyKey[], prefix: PropertyKey[]): PropertyKey[] {
  const inside = prefix.every((segment, index) => path[index] === segment);
  return inside ? path.slice(prefix.length) : ["catalog", ...path];
}

function indexOrEnd<Item>(items: readonly Item[], matches: (item: Item) => boolean): number {
  const index = items.findIndex(matches);
  return index === -1 ? items.length : index;
}

function replaceAt<Item>(items: readonly Item[], index: number, item: Item): Item[] {
  const copy = [...items];
  copy[index] = item;
  return copy;
}

function withoutDisabled(file: CatalogFile, disabled: ReadonlySet<string>): CatalogFile {
  const providers = file.providers.filter((provider) => !disabled.has(catalogEntryKey("provider", provider.id)));
  const usable = new Set(providers.map((provider) => provider.id));
  const models = file.models
    .filter((model) => !disabled.has(catalogEntryKey("model", model.id)))
    .map((model) => ({
      ...model,
      endpoints: model.endpoints.filter((endpoint) => usable.has(endpoint.provider) && !disabled.has(catalogEntryKey("endpoint", endpointId(model.id, endpoint.provider)))),
    }))
    .filter((model) => model.endpoints.length > 0);
  return { providers, models };
}
