import type { RouteCandidate } from "@switchboard/contracts";

/**
 * A catalog endpoint for unit tests: one micro-dollar per completion token and nothing per prompt token,
 * so an upper-bound cost equals the output bound. Not a test itself.
 */
export function routeCandidate(endpointId: string, overrides: Partial<RouteCandidate> = {}): RouteCandidate {
  const [modelId = "model", providerId = "provider"] = endpointId.split("@");
  return {
    endpointId,
    modelId,
    providerId,
    providerName: providerId,
    api: "openai",
    baseUrl: "http://upstream.invalid/v1",
    apiKeyEnv: null,
    upstreamModel: modelId,
    price: { promptPicosPerToken: "0", completionPicosPerToken: "1000000" },
    contextLength: 8_000,
    maxCompletionTokens: 1_000,
    supportedParameters: [],
    dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: false },
    ...overrides,
  };
}
