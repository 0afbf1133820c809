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
    expect(convertToGeminiRequest(request, 256)).toEqual({
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
    const { body } = convertToGeminiRequest(request, null);
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
    expect(convertToGeminiRequest({ messages: [{ role: "user", content: "Hi" }], logprobs: true, n: 1 }, null).warnings.map((warning) => warning.parameter)).toEqual([
      "logprobs",
      "n",
    ]);
    const withUrlImage: ChatRequest = { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] }] };
    expect(() => convertToGeminiRequest(withUrlImage, null)).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400, metadata: { parameter: "messages.0.content.0" } }) }));
    const orphanResult: ChatRequest = { messages: [{ role: "user", content: "Hi" }, { role: "tool", tool_call_id: "nowhere", content: "x" }] };
    expect(() => convertToGeminiRequest(orphanResult, null)).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400 }) }));
  });
});
