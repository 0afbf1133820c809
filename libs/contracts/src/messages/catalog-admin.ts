import { z } from "zod";
import { adminCallerSchema } from "./admin-audit.js";

/** The kinds of catalog entries an admin can change at run time. */
export const catalogEntryKinds = { provider: "provider", model: "model", endpoint: "endpoint" } as const;
export type CatalogEntryKind = (typeof catalogEntryKinds)[keyof typeof catalogEntryKinds];

// The characters the catalog file allows in ids (its schema has the exact rules), so error messages may name them.
const providerIdSchema = z.string().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a provider id: letters, digits, '.', '_' and '-'");
const modelIdSchema = z.string().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._:-]*$/, "an `author/slug` model id");

/** Which catalog entry a run-time change addresses: a provider, a model, or the endpoint of a model at one provider. */
export const catalogEntryTargetSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("provider"), providerId: providerIdSchema }),
  z.strictObject({ kind: z.literal("model"), modelId: modelIdSchema }),
  z.strictObject({ kind: z.literal("endpoint"), modelId: modelIdSchema, providerId: providerIdSchema }),
]);
export type CatalogEntryTarget = z.infer<typeof catalogEntryTargetSchema>;

/**
 * Adds or replaces one entry. `document` is the entry in the catalog file's own shape (a provider, a model
 * with its endpoints, or one endpoint); the router validates it with the catalog file's schemas, so the
 * file and the admin API accept exactly the same documents.
 */
export const putCatalogEntryRequestSchema = z.strictObject({ target: catalogEntryTargetSchema, document: z.unknown(), caller: adminCallerSchema });
export type PutCatalogEntryRequest = z.infer<typeof putCatalogEntryRequestSchema>;

/** Disables (out of routing and listings) or enables again one entry of the effective catalog. */
export const setCatalogEntryDisabledRequestSchema = z.strictObject({ target: catalogEntryTargetSchema, disabled: z.boolean(), caller: adminCallerSchema });
export type SetCatalogEntryDisabledRequest = z.infer<typeof setCatalogEntryDisabledRequestSchema>;

/** How an entry of the effective catalog came about, and whether it routes. */
export const catalogEntryStatusSchema = z.object({
  /** `seed`: its document is the catalog file's; `runtime`: an admin change replaced or added it. */
  source: z.enum(["seed", "runtime"]),
  disabled: z.boolean(),
  /** The last run-time change to this entry (document or disabled flag); null when it has none. */
  changed_at: z.string().nullable(),
  changed_by: z.string().nullable(),
});

/** One endpoint of the effective catalog: `document` in the catalog file's shape. */
export const catalogEndpointEntrySchema = catalogEntryStatusSchema.extend({
  id: z.string(),
  document: z.record(z.string(), z.unknown()),
});

/** One model of the effective catalog: `document` without its endpoints, which follow with their own status. */
export const catalogModelEntrySchema = catalogEntryStatusSchema.extend({
  id: z.string(),
  document: z.record(z.string(), z.unknown()),
  endpoints: z.array(catalogEndpointEntrySchema),
});

export const catalogProviderEntrySchema = catalogEntryStatusSchema.extend({
  id: z.string(),
  document: z.record(z.string(), z.unknown()),
});

/**
 * The effective catalog as the admin API shows it: the seed file with every run-time change applied,
 * disabled entries included (and marked). `revision`: the newest run-time change (0: none). `ignored`:
 * stored changes that no longer apply to the seed (e.g. an endpoint whose provider the file dropped).
 */
export const getCatalogReplySchema = z.object({
  data: z.object({
    revision: z.number().int().nonnegative(),
    providers: z.array(catalogProviderEntrySchema),
    models: z.array(catalogModelEntrySchema),
    ignored: z.array(z.object({ kind: z.enum(catalogEntryKinds), id: z.string(), reason: z.string() })),
  }),
});
export type GetCatalogReply = z.infer<typeof getCatalogReplySchema>;

/**
 * The answer to a put or a disable: the entry as it now is; `created` when a put added it. `data` is null
 * when the change is committed but a change committed right after it took the entry out again (a model's
 * put without the endpoint just put): the change was made, there is just nothing of it to show.
 */
export const catalogEntryChangeReplySchema = z.object({
  created: z.boolean(),
  revision: z.number().int().nonnegative(),
  // The model entry first: the other two have its fields but `endpoints`, which they would drop.
  data: z.union([catalogModelEntrySchema, catalogProviderEntrySchema]).nullable(),
});
export type CatalogEntryChangeReply = z.infer<typeof catalogEntryChangeReplySchema>;
