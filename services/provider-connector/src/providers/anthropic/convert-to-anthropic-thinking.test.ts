import type { ChatRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { anthropicFallbackMaxTokens, convertToAnthropicThinking } from "./convert-to-anthropic-thinking.js";

const messages: ChatRequest["messages"] = [{ role: "user", content: "Hi" }];
const dropped = (parameter: string) => [{ type: "unsupported-parameter", parameter }];
const refusal = (parameter: string) => expect.objectContaining({ error: expect.objectContaining({ status: 400, retryable: true, metadata: { parameter } }) });

describe("convertToAnthropicThinking", () => {
  it("keeps a budget from an effort within Anthropic's bounds: at least 1,024 and below max_tokens", () => {
    expect(convertToAnthropicThinking({ messages, reasoning: { effort: "max" } }, 1_100)).toEqual({ thinking: { type: "enabled", budget_tokens: 1_045 }, maxTokens: 1_100, warnings: [] });
    expect(convertToAnthropicThinking({ messages, reasoning: { effort: "minimal" } }, 1_025)).toEqual({ thinking: { type: "enabled", budget_tokens: 1_024 }, maxTokens: 1_025, warnings: [] });
    // No cap from the client or the catalog: the fallback, whose every effort share fits.
    expect(convertToAnthropicThinking({ messages, reasoning_effort: "high" }, null)).toEqual({ thinking: { type: "enabled", budget_tokens: 3_276 }, maxTokens: anthropicFallbackMaxTokens, warnings: [] });
  });

  it("drops an effort when max_tokens leaves no room for the smallest budget, naming the parameter the client used, or refuses it under require_parameters", () => {
    expect(convertToAnthropicThinking({ messages, reasoning: { effort: "high" } }, 1_024)).toEqual({ maxTokens: 1_024, warnings: dropped("reasoning") });
    expect(convertToAnthropicThinking({ messages, reasoning_effort: "low" }, 500)).toEqual({ maxTokens: 500, warnings: dropped("reasoning_effort") });
    expect(() => convertToAnthropicThinking({ messages, reasoning: { effort: "high" }, provider: { require_parameters: true } }, 1_024)).toThrow(refusal("reasoning"));
  });

  it("drops an explicit budget below 1,024 rather than raising it, or refuses it under require_parameters", () => {
    expect(convertToAnthropicThinking({ messages, reasoning: { max_tokens: 1_023 } }, 8_000)).toEqual({ maxTokens: 8_000, warnings: dropped("reasoning") });
    expect(() => convertToAnthropicThinking({ messages, reasoning: { max_tokens: 500 }, provider: { require_parameters: true } }, 8_000)).toThrow(refusal("reasoning"));
    expect(convertToAnthropicThinking({ messages, reasoning: { max_tokens: 1_024 } }, 8_000).thinking).toEqual({ type: "enabled", budget_tokens: 1_024 });
  });

  it("drops an explicit budget not below the output cap someone set, or refuses it under require_parameters; raises max_tokens only when nobody set a cap", () => {
    expect(convertToAnthropicThinking({ messages, reasoning: { max_tokens: 8_000 } }, 8_000)).toEqual({ maxTokens: 8_000, warnings: dropped("reasoning") });
    expect(() => convertToAnthropicThinking({ messages, reasoning: { max_tokens: 9_000 }, provider: { require_parameters: true } }, 8_000)).toThrow(refusal("reasoning"));
    expect(convertToAnthropicThinking({ messages, reasoning: { max_tokens: 7_999 } }, 8_000).thinking).toEqual({ type: "enabled", budget_tokens: 7_999 });
    // The fallback cap is the gateway's choice, so it grows to leave the answer its usual room.
    expect(convertToAnthropicThinking({ messages, reasoning: { max_tokens: 10_000 } }, null)).toEqual({
      thinking: { type: "enabled", budget_tokens: 10_000 },
      maxTokens: 10_000 + anthropicFallbackMaxTokens,
      warnings: [],
    });
  });

  it("sends nothing when reasoning is not asked for or turned off", () => {
    expect(convertToAnthropicThinking({ messages }, 4_000)).toEqual({ maxTokens: 4_000, warnings: [] });
    expect(convertToAnthropicThinking({ messages, reasoning: { enabled: false } }, 4_000)).toEqual({ maxTokens: 4_000, warnings: [] });
  });
});
