import type { ChatRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { convertToGeminiRequest } from "./convert-to-gemini-request.js";

describe("convertToGeminiRequest", () => {
  it("lifts system messages into systemInstruction, uses role model for the assistant and maps generation settings", () => {
    const request: ChatRequest = {
      model: "google/gemini-2.5-flash",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "user", content: [{ type: "text", text: "A picture:" }, { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } }] },
      ],
      temperature: 1.5,
      top_p: 0.9,
      top_k: 20,
      seed: 7,
      stop: ["END"],
      response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object", additionalProperties: false } } },
      provider: { order: ["google"] },
    };
    expect(convertToGeminiRequest(request, { maxCompletionTokens: 256, upstreamModel: "gemini-2.5-flash" })).toEqual({
      body: {
        systemInstruction: { parts: [{ text: "Be brief." }] },
        contents: [
          { role: "user", parts: [{ text: "Hi" }] },
          { role: "model", parts: [{ text: "Hello." }] },
          { role: "user", parts: [{ text: "A picture:" }, { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } }] },
        ],
        generationConfig: {
          temperature: 1.5,
          topP: 0.9,
          topK: 20,
          seed: 7,
          maxOutputTokens: 256,
          stopSequences: ["END"],
          responseMimeType: "application/json",
          responseJsonSchema: { type: "object", additionalProperties: false },
        },
      },
      warnings: [],
    });
  });

  it("sends tools as function declarations with their JSON Schema, and function results by name in a user turn", () => {
    const request: ChatRequest = {
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_r_0", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } },
            { id: "call_r_1", type: "function", function: { name: "get_time", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "call_r_0", content: "18°C" },
        { role: "tool", tool_call_id: "call_r_1", content: "noon" },
      ],
      tools: [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { location: { type: "string" } } } } }],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    };
    const { body } = convertToGeminiRequest(request, { maxCompletionTokens: null, upstreamModel: "gemini-2.5-flash" });
    expect(body["tools"]).toEqual([
      { functionDeclarations: [{ name: "get_weather", description: "Weather", parametersJsonSchema: { type: "object", properties: { location: { type: "string" } } } }] },
    ]);
    expect(body["toolConfig"]).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } });
    expect(body).not.toHaveProperty("generationConfig");
    expect(body["contents"]).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris and Rome?" }] },
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { location: "Paris" } } }, { functionCall: { name: "get_time", args: {} } }] },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "get_weather", response: { content: "18°C" } } },
          { functionResponse: { name: "get_time", response: { content: "noon" } } },
        ],
      },
    ]);
  });

  it("names what it cannot send, and refuses what it cannot translate faithfully", () => {
    expect(convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], logprobs: true, n: 1 }, { maxCompletionTokens: null, upstreamModel: "gemini-2.5-flash" }).warnings.map((warning) => warning.parameter)).toEqual([
      "logprobs",
      "n",
    ]);
    const withFtpImage: ChatRequest = { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://example.com/a.png" } }] }] };
    expect(() => convertToGeminiRequest(withFtpImage, { maxCompletionTokens: null, upstreamModel: "gemini-2.5-flash" })).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400, metadata: { parameter: "messages.0.content.0" } }) }));
    const orphanResult: ChatRequest = { messages: [{ role: "user", content: "Hi" }, { role: "tool", tool_call_id: "nowhere", content: "x" }] };
    expect(() => convertToGeminiRequest(orphanResult, { maxCompletionTokens: null, upstreamModel: "gemini-2.5-flash" })).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400 }) }));
  });

  it("sends a data URI image as inlineData and an https URL as fileData, with the MIME type its extension names", () => {
    const request: ChatRequest = {
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
            { type: "image_url", image_url: { url: "https://storage.example.com/photos/cat.PNG?sig=1" } },
            { type: "image_url", image_url: { url: "https://example.com/render" } },
          ],
        },
      ],
    };
    const { body } = convertToGeminiRequest(request, { maxCompletionTokens: null, upstreamModel: "gemini-2.5-flash" });
    expect(body["contents"]).toEqual([
      {
        role: "user",
        parts: [
          { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } },
          { fileData: { mimeType: "image/png", fileUri: "https://storage.example.com/photos/cat.PNG?sig=1" } },
          { fileData: { fileUri: "https://example.com/render" } },
        ],
      },
    ]);
  });

  it("asks for thinking with thoughts (under exclude too: the handler hides their text): a budget as thinkingBudget, an effort as thinkingLevel on Gemini 3 and as its share of the cap before", () => {
    const thinking = (extra: Partial<ChatRequest>, upstreamModel: string, maxCompletionTokens: number | null) =>
      (convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], ...extra }, { maxCompletionTokens, upstreamModel }).body["generationConfig"] as Record<string, unknown> | undefined)?.[
        "thinkingConfig"
      ];
    expect(thinking({ reasoning: { max_tokens: 2_048 } }, "gemini-2.5-pro", 8_000)).toEqual({ includeThoughts: true, thinkingBudget: 2_048 });
    expect(thinking({ reasoning: { effort: "high" } }, "gemini-2.5-flash", 10_000)).toEqual({ includeThoughts: true, thinkingBudget: 8_000 });
    expect(thinking({ reasoning_effort: "low" }, "gemini-3-pro-preview", 10_000)).toEqual({ includeThoughts: true, thinkingLevel: "low" });
    expect(thinking({ reasoning: { effort: "low", exclude: true } }, "gemini-2.5-flash", 10_000)).toEqual({ includeThoughts: true, thinkingBudget: 2_000 });
    expect(thinking({ reasoning: { enabled: false } }, "gemini-2.5-flash", 100)).toEqual({ thinkingBudget: 0 });
    expect(thinking({}, "gemini-2.5-flash", 100)).toBeUndefined();
    expect(convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], reasoning: { effort: "high" } }, { maxCompletionTokens: 10, upstreamModel: "gemini-2.5-flash" }).warnings).toEqual([]);
  });

  it("keeps an effort's budget within the Gemini 2.5 model's range, and drops an explicit budget outside it, naming reasoning, or refuses it under require_parameters", () => {
    const convert = (extra: Partial<ChatRequest>, upstreamModel: string, maxCompletionTokens: number | null = 8_000) =>
      convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], ...extra }, { maxCompletionTokens, upstreamModel });
    const thinkingOf = (converted: ReturnType<typeof convertToGeminiRequest>) => (converted.body["generationConfig"] as Record<string, unknown>)["thinkingConfig"];
    // An effort names no number of tokens: its share of the cap is sized to what the model takes.
    expect(thinkingOf(convert({ reasoning: { effort: "medium" } }, "gemini-2.5-flash", null))).toEqual({ includeThoughts: true, thinkingBudget: 24_576 });
    expect(thinkingOf(convert({ reasoning: { effort: "high" } }, "gemini-2.5-pro", null))).toEqual({ includeThoughts: true, thinkingBudget: 32_768 });
    expect(thinkingOf(convert({ reasoning: { effort: "minimal" } }, "gemini-2.5-flash-lite", 1_000))).toEqual({ includeThoughts: true, thinkingBudget: 512 });
    expect(thinkingOf(convert({ reasoning: { effort: "minimal" } }, "gemini-2.5-pro", 1_000))).toEqual({ includeThoughts: true, thinkingBudget: 128 });
    // Explicit budgets at the edges are sent as asked.
    for (const [model, budget] of [["gemini-2.5-pro", 128], ["gemini-2.5-pro", 32_768], ["gemini-2.5-flash-lite", 512], ["gemini-2.5-flash", 24_576], ["gemini-2.5-flash", 1]] as const) {
      expect(convert({ reasoning: { max_tokens: budget } }, model)).toMatchObject({ body: { generationConfig: { thinkingConfig: { thinkingBudget: budget } } }, warnings: [] });
    }
    // Beyond them they are dropped and named, never clamped.
    for (const [model, budget] of [["gemini-2.5-pro", 127], ["gemini-2.5-pro", 32_769], ["gemini-2.5-flash-lite", 511], ["gemini-2.5-flash", 24_577], ["models/gemini-2.5-flash-lite-preview-06-17", 30_000]] as const) {
      const dropped = convert({ reasoning: { max_tokens: budget } }, model);
      expect(dropped.body["generationConfig"]).not.toHaveProperty("thinkingConfig");
      expect(dropped.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
      expect(() => convert({ reasoning: { max_tokens: budget }, provider: { require_parameters: true } }, model)).toThrow(
        expect.objectContaining({ error: expect.objectContaining({ status: 400, retryable: true, metadata: { parameter: "reasoning" } }) }),
      );
    }
    // 2.5 Pro cannot stop thinking; Flash and Flash-Lite can (budget 0).
    expect(convert({ reasoning: { enabled: false } }, "gemini-2.5-pro").warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
    expect(convert({ reasoning_effort: "none" }, "gemini-2.5-pro").warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning_effort" }]);
    expect(thinkingOf(convert({ reasoning: { enabled: false } }, "gemini-2.5-flash-lite"))).toEqual({ thinkingBudget: 0 });
    // Models whose range is not known get the budget as asked.
    expect(thinkingOf(convert({ reasoning: { max_tokens: 50_000 } }, "gemini-test-thinking"))).toEqual({ includeThoughts: true, thinkingBudget: 50_000 });
  });

  it("sends an effort to Gemini 3 as the nearest documented thinking level, naming reasoning when the level differs from the one asked", () => {
    const convert = (reasoning: ChatRequest["reasoning"], upstreamModel: string, extra: Partial<ChatRequest> = {}) =>
      convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], reasoning, ...extra }, { maxCompletionTokens: 8_000, upstreamModel });
    const level = (effort: string, upstreamModel: string) => {
      const { body, warnings } = convert({ effort } as ChatRequest["reasoning"], upstreamModel);
      const thinkingConfig = (body["generationConfig"] as Record<string, unknown>)["thinkingConfig"] as Record<string, unknown> | undefined;
      return `${String(thinkingConfig?.["thinkingLevel"] ?? "dropped")}${warnings.length > 0 ? " (warned)" : ""}`;
    };
    const efforts = ["minimal", "low", "medium", "high", "xhigh", "max"];
    expect(efforts.map((effort) => level(effort, "gemini-3-pro-preview"))).toEqual(["dropped (warned)", "low", "high (warned)", "high", "high (warned)", "high (warned)"]);
    expect(efforts.map((effort) => level(effort, "gemini-3.1-pro-preview"))).toEqual(["dropped (warned)", "low", "medium", "high", "high (warned)", "high (warned)"]);
    expect(efforts.map((effort) => level(effort, "gemini-3-flash-preview"))).toEqual(["minimal", "low", "medium", "high", "high (warned)", "high (warned)"]);
    expect(efforts.map((effort) => level(effort, "gemini-3.1-flash-lite"))).toEqual(["minimal", "low", "medium", "high", "high (warned)", "high (warned)"]);
    // Gemini 3.7 and 3.8 Flash are documented with LOW, MEDIUM and HIGH only: no minimal is invented.
    expect(efforts.map((effort) => level(effort, "gemini-3.7-flash"))).toEqual(["dropped (warned)", "low", "medium", "high", "high (warned)", "high (warned)"]);
    expect(efforts.map((effort) => level(effort, "models/gemini-3.8-flash"))).toEqual(["dropped (warned)", "low", "medium", "high", "high (warned)", "high (warned)"]);
    // A Gemini 3 model whose levels are not documented here gets the effort as asked, and no minimal.
    expect(efforts.map((effort) => level(effort, "gemini-3.9-flash-preview"))).toEqual(["dropped (warned)", "low", "medium", "high", "high (warned)", "high (warned)"]);
    expect(convert({ effort: "medium" }, "gemini-3-pro-preview").warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
    expect(convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], reasoning_effort: "medium" }, { maxCompletionTokens: null, upstreamModel: "gemini-3-pro-preview" }).warnings).toEqual([
      { type: "unsupported-parameter", parameter: "reasoning_effort" },
    ]);
    // A minimal effort the model is not known to take is refused under require_parameters, never sent as low.
    expect(() => convert({ effort: "minimal" }, "gemini-3.7-flash", { provider: { require_parameters: true } })).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, metadata: { parameter: "reasoning" } }) }),
    );
  });

  it("turns thinking off on Gemini 3 only as Flash's minimal level, named as changed; a model not known to take minimal drops it or refuses it", () => {
    const off = (upstreamModel: string, extra: Partial<ChatRequest> = {}) =>
      convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], reasoning: { enabled: false }, ...extra }, { maxCompletionTokens: null, upstreamModel });
    expect(off("gemini-3-flash-preview")).toMatchObject({
      body: { generationConfig: { thinkingConfig: { thinkingLevel: "minimal" } } },
      warnings: [{ type: "unsupported-parameter", parameter: "reasoning" }],
    });
    for (const model of ["gemini-3-pro-preview", "gemini-3.1-pro-preview", "gemini-3.7-flash", "gemini-3.8-flash", "gemini-3.9-flash-preview"]) {
      const dropped = off(model);
      expect(dropped.body["generationConfig"]).toBeUndefined();
      expect(dropped.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
      expect(() => off(model, { provider: { require_parameters: true } })).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400 }) }));
    }
  });

  it("drops an effort whose model's smallest thinking budget leaves no room under the output cap, or refuses it under require_parameters", () => {
    const convert = (maxCompletionTokens: number | null, extra: Partial<ChatRequest> = {}) =>
      convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], reasoning: { effort: "low" }, ...extra }, { maxCompletionTokens, upstreamModel: "gemini-2.5-flash-lite" });
    for (const cap of [512, 300]) {
      const dropped = convert(cap);
      expect(dropped.body["generationConfig"]).not.toHaveProperty("thinkingConfig");
      expect(dropped.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
      expect(() => convert(cap, { provider: { require_parameters: true } })).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400 }) }));
    }
    expect(convert(513)).toMatchObject({ body: { generationConfig: { thinkingConfig: { thinkingBudget: 512 } } }, warnings: [] });
  });

  it("puts thought signatures back on the parts they came with: a function call's by its id, the rest on the first text part; other formats are left out", () => {
    const request: ChatRequest = {
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            { id: "call_r_0", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call_r_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
          ],
          reasoning_details: [
            { type: "reasoning.text", text: "Thinking.", format: "google-gemini-v1", index: 0 },
            { type: "reasoning.encrypted", data: "SIG_TEXT", format: "google-gemini-v1", index: 1 },
            { type: "reasoning.encrypted", data: "SIG_ROME", id: "call_r_1", format: "google-gemini-v1", index: 2 },
            { type: "reasoning.text", text: "x", signature: "ANTHROPIC", format: "anthropic-claude-v1", index: 3 },
          ],
        },
        { role: "tool", tool_call_id: "call_r_0", content: "18°C" },
        { role: "tool", tool_call_id: "call_r_1", content: "21°C" },
      ],
    };
    const { body } = convertToGeminiRequest(request, { maxCompletionTokens: null, upstreamModel: "gemini-3-pro-preview" });
    expect((body["contents"] as unknown[])[1]).toEqual({
      role: "model",
      parts: [
        { text: "Checking.", thoughtSignature: "SIG_TEXT" },
        { functionCall: { name: "get_weather", args: { city: "Paris" } } },
        { functionCall: { name: "get_weather", args: { city: "Rome" } }, thoughtSignature: "SIG_ROME" },
      ],
    });
  });
});
