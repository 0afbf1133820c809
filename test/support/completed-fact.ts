import { randomUUID } from "node:crypto";
import { generationCompletedSchema, parseUsdPerTokenToPicos, type GenerationCompleted } from "@switchboard/contracts";

/** gpt-4o-mini's price: 0.15 µ$ per prompt token, 0.6 µ$ per completion token. */
export const testPrice = {
  promptPicosPerToken: parseUsdPerTokenToPicos("0.00000015").toString(),
  completionPicosPerToken: parseUsdPerTokenToPicos("0.0000006").toString(),
};

/** A valid generation-completed fact (fresh ids unless given); 1000 + 1000 tokens at `testPrice` cost 750 µ$. */
export function completedFact(overrides: Partial<GenerationCompleted> = {}): GenerationCompleted {
  return generationCompletedSchema.parse({
    generationId: `gen-${randomUUID()}`,
    accountId: randomUUID(),
    keyId: randomUUID(),
    modelId: "openai/gpt-4o-mini",
    providerId: "openai",
    providerName: "OpenAI",
    endpointId: "openai/gpt-4o-mini@openai",
    price: testPrice,
    usage: { promptTokens: 1000, completionTokens: 1000, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    usageEstimated: false,
    status: "success",
    errorCode: null,
    finishReason: "stop",
    nativeFinishReason: "stop",
    streamed: false,
    upstreamId: "chatcmpl-test",
    latencyMs: 420,
    timeToFirstTokenMs: null,
    attempts: [{ endpointId: "openai/gpt-4o-mini@openai", providerId: "openai", status: 200, errorCode: null }],
    createdAt: new Date().toISOString(),
    ...overrides,
  });
}
