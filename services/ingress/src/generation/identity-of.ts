import type { GenerationIdentity } from "./build-chat-payloads.js";
import type { Generation } from "./generation.js";

/** What every response and chunk of one generation repeats: its id, start, the model and provider that served. */
export function identityOf(generation: Pick<Generation, "id" | "startedAt" | "candidate">): GenerationIdentity {
  return {
    id: generation.id,
    created: Math.floor(generation.startedAt / 1000),
    model: generation.candidate?.modelId ?? "",
    provider: generation.candidate?.providerName ?? "",
  };
}
