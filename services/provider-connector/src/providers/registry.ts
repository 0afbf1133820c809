import { anthropicAdapter } from "./anthropic/anthropic-adapter.js";
import { azureOpenAIAdapter } from "./azure-openai/azure-openai-adapter.js";
import { bedrockAdapter } from "./bedrock/bedrock-adapter.js";
import { geminiAdapter } from "./gemini/gemini-adapter.js";
import { openAIAdapter } from "./openai/openai-adapter.js";
import type { ProviderAdapter } from "./provider-adapter.js";

/** Adapters by the catalog's `api` name. */
export type ProviderRegistry = ReadonlyMap<string, ProviderAdapter>;

/**
 * Every adapter this connector speaks, listed explicitly (no discovery by file name) so that adding one
 * is a reviewed line here, and the conformance suite runs over exactly this map.
 */
export const providerRegistry: ProviderRegistry = new Map<string, ProviderAdapter>([
  ["openai", openAIAdapter],
  ["anthropic", anthropicAdapter],
  ["gemini", geminiAdapter],
  ["azure-openai", azureOpenAIAdapter],
  ["bedrock", bedrockAdapter],
]);
