import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildCatalogSnapshot } from "./catalog-snapshot.js";
import { parseCatalog } from "./read-catalog-file.js";

const readmePath = fileURLToPath(new URL("../../../../README.md", import.meta.url));

describe("the README's \"Add an OpenAI-compatible vendor\" example", () => {
  it("is a valid catalog whose quirks reach the routing snapshot", async () => {
    const readme = await readFile(readmePath, "utf8");
    const section = readme.slice(readme.indexOf("#### Add an OpenAI-compatible vendor"));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const endpoint = buildCatalogSnapshot(parseCatalog(example!, "README.md", {}), () => true).models[0]!.endpoints[0]!;
    expect(endpoint).toMatchObject({ api: "openai", apiKeyEnv: "ACME_API_KEY", upstreamModel: "acme-chat-1" });
    expect(endpoint.quirks).toEqual({ outputCapParameter: "max_completion_tokens", streamUsage: false, dropParameters: ["logit_bias"], extraParameters: ["top_k", "min_p"] });
  });
});
