import { SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { embeddingRegistry } from "./embedding-registry.js";

/** A base URL each API accepts (Bedrock reads its signing region from the host). */
const baseUrls: Record<string, string> = {
  openai: "https://api.openai.com/v1",
  "azure-openai": "https://example.openai.azure.com/openai?api-version=2024-10-21",
  gemini: "https://generativelanguage.googleapis.com",
  bedrock: "https://bedrock-runtime.us-east-1.amazonaws.com",
};

/** A model id of each API that takes several texts in one call. */
const batchModels: Record<string, string> = { openai: "text-embedding-3-small", "azure-openai": "embed-small", gemini: "gemini-embedding-001", bedrock: "cohere.embed-english-v3" };

/** One suite over every registered embedding adapter (STYLE.md convention 14), as adapter-conformance.test.ts does for chat. */
describe.each([...embeddingRegistry.entries()])("embedding adapter %s", (api, adapter) => {
  const input = { body: { model: "vendor/embed", input: ["first", "second"] }, upstreamModel: batchModels[api] ?? "model", baseUrl: baseUrls[api] ?? "https://example.test/v1" };

  it("is covered by this suite", () => {
    expect(Object.keys(baseUrls)).toContain(api);
  });

  it("builds an absolute HTTPS URL, a JSON body naming no Switchboard field, and no credential in the headers", () => {
    const request = adapter.toUpstreamEmbeddingRequest({ ...input, body: { ...input.body, provider: { sort: "price" } } });
    expect(new URL(request.url).protocol).toBe("https:");
    const body = JSON.stringify(request.body);
    expect(body).toContain("first");
    expect(body).not.toContain("provider");
    const headerNames = Object.keys(request.headers).map((name) => name.toLowerCase());
    for (const credentialHeader of ["authorization", "api-key", "x-goog-api-key", "x-api-key"]) expect(headerNames).not.toContain(credentialHeader);
  });

  it("refuses an answer it cannot read as a retryable 502, never a partial list", () => {
    for (const json of [{}, null, "text"]) {
      let thrown: unknown;
      try {
        adapter.fromUpstreamEmbeddingResponse(json, 2);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SwitchboardError);
      expect((thrown as SwitchboardError).error).toMatchObject({ status: 502, retryable: true });
    }
  });

  it("maps rate limits and outages as retryable, refusals as not", () => {
    expect(adapter.fromUpstreamError(429, "{}")).toMatchObject({ status: 429, retryable: true });
    expect(adapter.fromUpstreamError(503, "{}")).toMatchObject({ retryable: true });
    expect(adapter.fromUpstreamError(400, "{}")).toMatchObject({ status: 400, retryable: false });
  });
});
