import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import type { TestStack } from "./start-stack.js";

/** A provider of the catalog file (services/router/src/catalog), as a test adds it. */
export interface CatalogProviderEntry {
  id: string;
  name: string;
  api: string;
  base_url: string;
  api_key_env: string;
  [field: string]: unknown;
}

/** A model of the catalog file with its endpoints, as a test adds it. */
export interface CatalogModelEntry {
  id: string;
  name: string;
  context_length: number;
  endpoints: Record<string, unknown>[];
  [field: string]: unknown;
}

/**
 * Adds providers and models to the stack's catalog file, has the router publish it, and returns a funded
 * key and an openai SDK client for it once ingress lists every added model: the new snapshot reaches
 * ingress asynchronously. Entries are written as JSON, which YAML reads as flow mappings.
 */
export async function addToCatalog(stack: TestStack, additions: { providers: CatalogProviderEntry[]; models: CatalogModelEntry[] }): Promise<{ key: string; client: OpenAI }> {
  const catalog = await readFile(stack.catalogPath, "utf8");
  const entries = (items: readonly object[]) => items.map((item) => `  - ${JSON.stringify(item)}\n`).join("");
  await writeFile(stack.catalogPath, catalog.replace("providers:\n", `providers:\n${entries(additions.providers)}`) + entries(additions.models));
  await stack.restartRouter();
  const { key } = await stack.createFundedKey("10.00");
  for (const started = Date.now(); ; await sleep(20)) {
    const response = await fetch(`${stack.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
    const listed = new Set(((await response.json()) as { data: { id: string }[] }).data.map((model) => model.id));
    if (additions.models.every((model) => listed.has(model.id))) break;
    if (Date.now() - started > 5_000) throw new Error(`ingress never listed ${additions.models.map((model) => model.id).join(", ")}`);
  }
  return { key, client: new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 }) };
}
