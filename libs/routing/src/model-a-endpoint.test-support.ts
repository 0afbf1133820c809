import type { RouteCandidate } from "@switchboard/contracts";

/**
 * An endpoint of vendor/model-a as the router publishes it, for routing's unit tests: prices in
 * picodollars per token, no key, no data collection unless `overrides` say otherwise. Not a test itself.
 */
export function modelAEndpoint(providerId: string, prompt: string, completion: string, overrides: Partial<RouteCandidate> = {}): RouteCandidate {
  return {
    endpointId: `vendor/model-a@${providerId}`,
    modelId: "vendor/model-a",
    providerId,
    providerName: providerId,
    api: "openai",
    baseUrl: `http://${providerId}.test/v1`,
    apiKeyEnv: null,
    upstreamModel: `a-${providerId}`,
    price: { promptPicosPerToken: prompt, completionPicosPerToken: completion },
    contextLength: 8000,
    maxCompletionTokens: null,
    supportedParameters: [],
    dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: false },
    ...overrides,
  };
}
