import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildCatalogSnapshot } from "./catalog/catalog-snapshot.js";
import { readCatalogFile } from "./catalog/read-catalog-file.js";

const defaultCatalogPath = fileURLToPath(new URL("../../../deploy/catalog/default.yaml", import.meta.url));

describe("the default catalog's prices", () => {
  it("prices cached input where the provider publishes it, never above the uncached input price", async () => {
    const catalog = buildCatalogSnapshot(await readCatalogFile(defaultCatalogPath, {}), () => true);
    const endpoints = catalog.models.flatMap((model) => model.endpoints);
    const byId = new Map(endpoints.map((endpoint) => [endpoint.endpointId, endpoint.price]));
    // OpenAI's cached input: half of gpt-4o-mini's and gpt-4o's input price, a quarter of gpt-4.1-mini's.
    expect(byId.get("openai/gpt-4o-mini@openai")).toMatchObject({ promptPicosPerToken: "150000", cacheReadPicosPerToken: "75000" });
    expect(byId.get("openai/gpt-4o@openai")).toMatchObject({ promptPicosPerToken: "2500000", cacheReadPicosPerToken: "1250000" });
    expect(byId.get("openai/gpt-4.1-mini@openai")).toMatchObject({ promptPicosPerToken: "400000", cacheReadPicosPerToken: "100000" });
    expect(byId.get("deepseek/deepseek-chat@deepseek")).toMatchObject({ promptPicosPerToken: "280000", cacheReadPicosPerToken: "28000" });
    for (const { endpointId, price } of endpoints) {
      if (price.cacheReadPicosPerToken === undefined) continue;
      expect(BigInt(price.cacheReadPicosPerToken), endpointId).toBeLessThanOrEqual(BigInt(price.promptPicosPerToken));
    }
  });
});
