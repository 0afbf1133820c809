import { catalogEntryChangeReplySchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { applyCatalogChanges } from "./apply-catalog-changes.js";
import { catalogFileSchema } from "./catalog-file-schema.js";
import { describeCatalogEntry } from "./describe-effective-catalog.js";

const policy = { training: false, retains_prompts: false, zdr: false };
const seed = catalogFileSchema.parse({
  providers: [{ id: "alpha", name: "Alpha", api: "openai", base_url: "http://alpha.test/v1", data_policy: policy }],
  models: [{ id: "vendor/one", name: "One", context_length: 4096, endpoints: [{ provider: "alpha", upstream_model: "one-a", pricing: { prompt: "0", completion: "0" } }] }],
});

describe("describeCatalogEntry in a change's reply", () => {
  it("answers an entry a change committed right after took out again with data null, a reply ingress accepts (not a 500)", () => {
    // An endpoint vendor/one@beta was just put; a model put without it committed before the reload that answers.
    const modelPut = {
      kind: "model" as const,
      id: "vendor/one",
      document: { id: "vendor/one", name: "One", context_length: 4096, endpoints: [{ provider: "alpha", upstream_model: "one-b", pricing: { prompt: "0", completion: "0" } }] },
      disabled: false,
      revision: 2,
      changedAt: new Date(0),
      changedBy: "admin-key:other",
    };
    const effective = applyCatalogChanges(seed, [modelPut]);
    const gone = describeCatalogEntry(effective, "endpoint", "vendor/one@beta");
    expect(gone).toBeNull();
    expect(catalogEntryChangeReplySchema.safeParse({ created: false, revision: 2, data: gone }).success).toBe(true);
    const present = describeCatalogEntry(effective, "endpoint", "vendor/one@alpha");
    expect(catalogEntryChangeReplySchema.parse({ created: false, revision: 2, data: present }).data).toMatchObject({ id: "vendor/one@alpha", source: "runtime" });
  });
});
