import { describe, expect, it } from "vitest";
import { azureOpenAIAdapter } from "./azure-openai-adapter.js";

describe("azure-openai adapter", () => {
  it("posts to the deployment's chat completions path, keeping the catalog's api-version, with the key in api-key", () => {
    const request = azureOpenAIAdapter.toUpstreamRequest({
      body: { messages: [{ role: "user", content: "Hi" }] },
      upstreamModel: "o4-mini",
      stream: false,
      maxCompletionTokens: 100,
      baseUrl: "https://acme.openai.azure.com/openai?api-version=2024-10-21",
    });
    expect(request.url).toBe("https://acme.openai.azure.com/openai/deployments/o4-mini/chat/completions?api-version=2024-10-21");
    expect(request.credential).toEqual({ scheme: "header", headerName: "api-key" });
    expect(request.body).toMatchObject({ max_completion_tokens: 100 });
    expect(request.body).not.toHaveProperty("max_tokens");
  });
});
