import {
  gatewayError,
  gatewayErrorCodes,
  invalidRequestError,
  SwitchboardError,
  type CatalogEntryKind,
  type CatalogEntryTarget,
  type PutCatalogEntryRequest,
  type SetCatalogEntryDisabledRequest,
} from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import type { Kysely } from "kysely";
import { z } from "zod";
import { applyCatalogChanges, catalogEntryKey, entryExists, splitEndpointId, type CatalogChange, type CatalogChangeIssue } from "./apply-catalog-changes.js";
import { catalogDocumentSchemas, type CatalogFile } from "./catalog-file-schema.js";
import { clearEndpointDocumentsOf, readCatalogChanges, writeCatalogChange } from "./catalog-changes-store.js";
import { endpointId } from "./endpoint-id.js";
import { lockCatalog, storeCatalog } from "./store-catalog.js";

/** The kind and id of the entry a target addresses (an endpoint's id is `<model id>@<provider id>`). */
export function catalogEntryOf(target: CatalogEntryTarget): { kind: CatalogEntryKind; id: string } {
  if (target.kind === "provider") return { kind: "provider", id: target.providerId };
  if (target.kind === "model") return { kind: "model", id: target.modelId };
  return { kind: "endpoint", id: endpointId(target.modelId, target.providerId) };
}

/**
 * Adds or replaces a provider, a model with its endpoints, or one endpoint, in one transaction under the
 * catalog lock: the document is validated with the catalog file's schema (400 naming the fields), applied
 * over the seed and the other stored changes and validated again as a whole catalog (an endpoint naming an
 * unknown provider is a 400 too), then stored with the catalog tables. The disabled flag the entry had stays.
 * `created`: the catalog had no such entry before.
 */
export async function putCatalogEntry(database: Kysely<Database>, seed: CatalogFile, request: PutCatalogEntryRequest): Promise<{ created: boolean }> {
  const { kind, id } = catalogEntryOf(request.target);
  const parsed = catalogDocumentSchemas[kind].safeParse(withTargetIdentity(request.target, request.document));
  if (!parsed.success) throw new SwitchboardError(invalidRequestError(parsed.error));
  return database.transaction().execute(async (transaction) => {
    await lockCatalog(transaction);
    const changes = await readCatalogChanges(transaction);
    const before = applyCatalogChanges(seed, changes);
    if (request.target.kind === "endpoint") {
      requireEntry(before.file, "model", request.target.modelId);
      requireEntry(before.file, "provider", request.target.providerId);
    }
    const key = catalogEntryKey(kind, id);
    const existing = changes.find((change) => catalogEntryKey(change.kind, change.id) === key);
    const candidate: CatalogChange = { kind, id, document: parsed.data, disabled: existing?.disabled ?? false, revision: Number.MAX_SAFE_INTEGER, changedAt: new Date(), changedBy: request.caller.actor };
    // A model's put replaces its endpoints' documents, and forgets the endpoints it drops (see clearEndpointDocumentsOf).
    const keptProviderIds = kind === "model" ? (parsed.data as CatalogFile["models"][number]).endpoints.map((endpoint) => endpoint.provider) : [];
    const ofThisModel = (change: CatalogChange) => kind === "model" && change.kind === "endpoint" && splitEndpointId(change.id).modelId === id;
    const others = changes
      .filter((change) => catalogEntryKey(change.kind, change.id) !== key)
      .filter((change) => !ofThisModel(change) || keptProviderIds.includes(splitEndpointId(change.id).providerId))
      .map((change) => (ofThisModel(change) ? { ...change, document: null } : change));
    const after = applyCatalogChanges(seed, [...others, candidate]);
    const refused = after.ignored.find((entry) => catalogEntryKey(entry.kind, entry.id) === key);
    if (refused) throw new SwitchboardError(invalidRequestError(issuesAsError(refused.issues)));
    if (kind === "model") await clearEndpointDocumentsOf(transaction, id, keptProviderIds);
    await writeCatalogChange(transaction, { kind, id, document: parsed.data, disabled: candidate.disabled, caller: request.caller });
    await storeCatalog(transaction, after.routable);
    return { created: !entryExists(before.file, kind, id) };
  });
}

/** Disables or enables an entry of the effective catalog (404 when it has none); its document stays as it is. */
export async function setCatalogEntryDisabled(database: Kysely<Database>, seed: CatalogFile, request: SetCatalogEntryDisabledRequest): Promise<void> {
  const { kind, id } = catalogEntryOf(request.target);
  await database.transaction().execute(async (transaction) => {
    await lockCatalog(transaction);
    const changes = await readCatalogChanges(transaction);
    requireEntry(applyCatalogChanges(seed, changes).file, kind, id);
    const key = catalogEntryKey(kind, id);
    const existing = changes.find((change) => catalogEntryKey(change.kind, change.id) === key);
    const document = existing?.document ?? null;
    const updated: CatalogChange = { kind, id, document, disabled: request.disabled, revision: Number.MAX_SAFE_INTEGER, changedAt: new Date(), changedBy: request.caller.actor };
    const after = applyCatalogChanges(seed, [...changes.filter((change) => catalogEntryKey(change.kind, change.id) !== key), updated]);
    await writeCatalogChange(transaction, { kind, id, document, disabled: request.disabled, caller: request.caller });
    await storeCatalog(transaction, after.routable);
  });
}

/** The URL names the entry: a body without its id (or an endpoint without its provider) gets it from there. */
function withTargetIdentity(target: CatalogEntryTarget, document: unknown): unknown {
  if (typeof document !== "object" || document === null || Array.isArray(document)) return document;
  if (target.kind === "provider" && !("id" in document)) return { ...document, id: target.providerId };
  if (target.kind === "model" && !("id" in document)) return { ...document, id: target.modelId };
  if (target.kind === "endpoint" && !("provider" in document)) return { ...document, provider: target.providerId };
  return document;
}

function requireEntry(file: CatalogFile, kind: CatalogEntryKind, id: string): void {
  if (entryExists(file, kind, id)) return;
  const { modelId, providerId } = kind === "endpoint" ? splitEndpointId(id) : { modelId: "", providerId: "" };
  const what = kind === "endpoint" ? `no endpoint of model "${modelId}" at provider "${providerId}"` : `no ${kind} "${id}"`;
  throw new SwitchboardError(gatewayError(gatewayErrorCodes.notFound, 404, `The catalog has ${what}.`));
}

function issuesAsError(issues: CatalogChangeIssue[]): z.ZodError {
  return new z.ZodError(issues.map((issue) => ({ code: "custom" as const, path: issue.path, message: issue.message, input: undefined })));
}
