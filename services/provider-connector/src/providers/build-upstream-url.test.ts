import { describe, expect, it } from "vitest";
import { buildUpstreamUrl } from "./build-upstream-url.js";

describe("buildUpstreamUrl", () => {
  it("appends the API path to the base URL's own path, with exactly one slash", () => {
    expect(buildUpstreamUrl("https://api.openai.com/v1", "/chat/completions")).toBe("https://api.openai.com/v1/chat/completions");
    expect(buildUpstreamUrl("https://api.openai.com/v1/", "chat/completions")).toBe("https://api.openai.com/v1/chat/completions");
    expect(buildUpstreamUrl("https://api.anthropic.com", "/v1/messages")).toBe("https://api.anthropic.com/v1/messages");
    expect(buildUpstreamUrl("http://127.0.0.1:8080", "/v1/messages")).toBe("http://127.0.0.1:8080/v1/messages");
  });

  it("keeps the base URL's query and adds the path's own after it", () => {
    expect(buildUpstreamUrl("https://example.openai.azure.com/openai/deployments/d?api-version=2024-10-21", "/chat/completions")).toBe(
      "https://example.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21",
    );
    expect(buildUpstreamUrl("https://generativelanguage.googleapis.com", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")).toBe(
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    );
  });
});
