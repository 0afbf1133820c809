import type { EmbeddingsRequest, UpstreamWarning } from "@switchboard/contracts";

/**
 * The embeddings parameters an endpoint may not take, by the catalog's `supported_parameters` name. The
 * model and the input are the request itself; `encoding_format` is Switchboard's to honour (ingress
 * encodes), and `user` is the adapter's to carry or name.
 */
const optionalParameters = ["dimensions"] as const;

/**
 * The client's embeddings request without the parameters this endpoint's catalog entry does not list, and
 * a warning naming each (as `dropUnsupportedParameters` does for chat). An entry that lists no parameters
 * declares nothing: its adapter alone decides.
 */
export function dropUnsupportedEmbeddingParameters(body: EmbeddingsRequest, supportedParameters: readonly string[]): { body: EmbeddingsRequest; warnings: UpstreamWarning[] } {
  if (supportedParameters.length === 0) return { body, warnings: [] };
  const kept: Record<string, unknown> = { ...body };
  const warnings: UpstreamWarning[] = [];
  for (const parameter of optionalParameters) {
    if (kept[parameter] === undefined || kept[parameter] === null || supportedParameters.includes(parameter)) continue;
    delete kept[parameter];
    warnings.push({ type: "unsupported-parameter", parameter });
  }
  return { body: kept as EmbeddingsRequest, warnings };
}
