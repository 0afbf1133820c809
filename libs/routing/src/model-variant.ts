import type { RoutingModel } from "@switchboard/contracts";

/**
 * Model variants a client may append to a model id (https://openrouter.ai/docs/guides/routing/model-variants):
 * `:floor` sorts by price, `:nitro` by throughput, `:free` keeps only zero-priced endpoints.
 */
export const modelVariants = { floor: "floor", nitro: "nitro", free: "free" } as const;
export type ModelVariant = (typeof modelVariants)[keyof typeof modelVariants];

const variantNames = new Set<string>(Object.values(modelVariants));

/** A requested model id resolved against the catalog: the catalog model and the variant asked for, if any. */
export interface ResolvedModel {
  model: RoutingModel;
  variant: ModelVariant | null;
}

/**
 * Finds the catalog model a client's model id names. An id the catalog lists as it is wins (a catalog may
 * list `vendor/model:free` as a model of its own); otherwise a known variant suffix is split off the base id.
 * Undefined when neither names a catalog model.
 */
export function resolveModelVariant(models: ReadonlyMap<string, RoutingModel>, modelId: string): ResolvedModel | undefined {
  const exact = models.get(modelId);
  if (exact) return { model: exact, variant: null };
  const separator = modelId.lastIndexOf(":");
  if (separator === -1) return undefined;
  const suffix = modelId.slice(separator + 1);
  if (!variantNames.has(suffix)) return undefined;
  const model = models.get(modelId.slice(0, separator));
  return model ? { model, variant: suffix as ModelVariant } : undefined;
}
