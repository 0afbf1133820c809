import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildCatalogSnapshot } from "./catalog/catalog-snapshot.js";
import { readCatalogFile } from "./catalog/read-catalog-file.js";

const defaultCatalogPath = fileURLToPath(new URL("../../../deploy/catalog/default.yaml", import.meta.url));

/** Providers whose prices are not a vendor's list prices, so their source comment is no URL. */
const unpricedProviders = new Set(["demo", "local-openai"]);

/** The file's lines from `header` (a top-level key) to the next top-level key, split into `  - id:` blocks. */
function blocksUnder(text: string, header: string): string[][] {
  const lines = text.split("\n");
  const start = lines.indexOf(`${header}:`);
  const end = lines.findIndex((line, index) => index > start && /^[a-z_]+:/.test(line));
  const blocks: string[][] = [];
  for (const line of lines.slice(start + 1, end === -1 ? undefined : end)) {
    if (line.startsWith("  - id: ")) blocks.push([line]);
    else blocks.at(-1)?.push(line);
  }
  // A comment above the next block belongs to it, not to the one it follows; trailing comments count for nothing.
  return blocks.map((block) => {
    while (block.length > 1 && /^\s{0,2}#|^\s*$/.test(block.at(-1)!)) block.pop();
    return block;
  });
}

function sourceOf(lines: readonly string[]): string | undefined {
  return lines.map((line) => /^\s*# source: (.+)$/.exec(line)?.[1]).find((source) => source !== undefined);
}

/** Issue 11 acceptance: the default catalog lists at least 40 current models at public prices, each price with its source. */
describe("the default catalog's coverage", async () => {
  const text = await readFile(defaultCatalogPath, "utf8");
  const catalog = buildCatalogSnapshot(await readCatalogFile(defaultCatalogPath, {}), () => true);
  const listed = catalog.models.filter((model) => !model.id.startsWith("switchboard/"));

  it("lists at least 40 models besides the demo, many of them served by several providers", () => {
    expect(listed.length).toBeGreaterThanOrEqual(40);
    expect(listed.filter((model) => model.endpoints.length >= 2).length).toBeGreaterThanOrEqual(10);
  });

  it("reaches every native API and the OpenAI-compatible family", () => {
    const apis = new Set(catalog.models.flatMap((model) => model.endpoints.map((endpoint) => endpoint.api)));
    expect([...apis].sort()).toEqual(["anthropic", "azure-openai", "bedrock", "gemini", "openai"]);
    const providers = new Set(catalog.models.flatMap((model) => model.endpoints.map((endpoint) => endpoint.providerId)));
    for (const provider of ["openai", "anthropic", "google-ai-studio", "amazon-bedrock", "azure-openai", "groq", "together", "fireworks", "deepseek", "mistral", "xai", "openrouter", "deepinfra"]) {
      expect(providers, provider).toContain(provider);
    }
  });

  it("gives every endpoint a price, a context length and its supported parameters", () => {
    for (const endpoint of catalog.models.filter((model) => !model.outputModalities.includes("embeddings")).flatMap((model) => model.endpoints)) {
      expect(BigInt(endpoint.price.promptPicosPerToken), endpoint.endpointId).toBeGreaterThan(0n);
      expect(BigInt(endpoint.price.completionPicosPerToken), endpoint.endpointId).toBeGreaterThan(0n);
      expect(endpoint.contextLength, endpoint.endpointId).toBeGreaterThan(0);
      expect(endpoint.supportedParameters, endpoint.endpointId).toContain("max_tokens");
    }
  });

  it("lists embedding models of OpenAI, Google and Amazon, priced per input token only", () => {
    const embeddingModels = catalog.models.filter((model) => model.outputModalities.includes("embeddings"));
    expect(embeddingModels.map((model) => model.id)).toEqual(expect.arrayContaining(["openai/text-embedding-3-small", "google/gemini-embedding-001", "amazon/titan-embed-text-v2"]));
    for (const endpoint of embeddingModels.flatMap((model) => model.endpoints)) {
      expect(BigInt(endpoint.price.promptPicosPerToken), endpoint.endpointId).toBeGreaterThan(0n);
      expect(endpoint.price.completionPicosPerToken, endpoint.endpointId).toBe("0");
      expect(endpoint.supportedParameters, endpoint.endpointId).toEqual(["dimensions"]);
    }
    // $0.02 per million tokens is 20,000 pico-dollars per token.
    expect(embeddingModels.find((model) => model.id === "openai/text-embedding-3-small")?.endpoints[0]?.price.promptPicosPerToken).toBe("20000");
  });

  it("keeps the self-hosted example out of routing: no model lists an endpoint on it", () => {
    expect(catalog.models.flatMap((model) => model.endpoints).filter((endpoint) => endpoint.providerId === "local-openai")).toEqual([]);
    expect(text).toMatch(/^ {2}- id: local-openai$/m);
  });

  it("names the pricing page of every provider", () => {
    const blocks = blocksUnder(text, "providers");
    expect(blocks.length).toBeGreaterThanOrEqual(14);
    for (const block of blocks) {
      const id = block[0]!.replace("  - id: ", "");
      const source = sourceOf(block);
      expect(source, `provider ${id}`).toBeDefined();
      if (!unpricedProviders.has(id)) expect(source, `provider ${id}`).toMatch(/^https:\/\//);
    }
  });

  it("names the pricing page of every endpoint of every model", () => {
    const blocks = blocksUnder(text, "models");
    expect(blocks.length).toBe(catalog.models.length);
    for (const block of blocks) {
      const id = block[0]!.replace("  - id: ", "");
      // Each endpoint's lines run from its `- provider:` to the next one.
      const starts = block.flatMap((line, index) => (/^\s+- provider: /.test(line) ? [index] : []));
      expect(starts.length, id).toBeGreaterThan(0);
      starts.forEach((start, position) => {
        const lines = block.slice(start, starts[position + 1]);
        const provider = lines[0]!.replace(/^\s+- provider: /, "");
        const source = sourceOf(lines);
        expect(source, `${id} at ${provider}`).toBeDefined();
        if (!unpricedProviders.has(provider)) expect(source, `${id} at ${provider}`).toMatch(/^https:\/\//);
      });
    }
  });
});
