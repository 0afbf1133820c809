import { describe, expect, it } from "vitest";
import { invalidRequestError } from "../invalid-request-error.js";
import { chatRequestSchema, providerPreferencesSchema } from "./chat-request.js";

const messages = [{ role: "user", content: "hi" }];

describe("providerPreferencesSchema (issue 9)", () => {
  it.each([
    { order: ["openai", "together"] },
    { allow_fallbacks: false },
    { require_parameters: true },
    { data_collection: "deny" },
    { data_collection: "allow" },
    { zdr: true },
    { only: ["groq"] },
    { ignore: ["deepseek"] },
    { quantizations: ["fp8", "unknown"] },
    { sort: "price" },
    { sort: "throughput" },
    { sort: "latency" },
    { sort: { by: "latency", partition: "none" } },
    { max_price: { prompt: 1, completion: "2.5", request: 0, image: "0.01", audio: 0 } },
    { preferred_min_throughput: 50 },
    { preferred_max_latency: { p50: 1, p99: 3 } },
  ])("accepts %j", (provider) => {
    expect(providerPreferencesSchema.parse(provider)).toEqual(provider);
  });

  it.each([
    [{ Require_Parameters: true }, 'provider: unrecognized key "Require_Parameters"'],
    [{ order: ["a"], sortt: "price", extra: 1 }, 'provider: unrecognized keys "sortt", "extra"'],
    [{ max_price: { prompt: 1, tokens: 2 } }, 'provider.max_price: unrecognized key "tokens"'],
    [{ sort: { by: "price", partition: "global" } }, "provider.sort"],
    [{ sort: "exacto" }, "provider.sort"],
    [{ quantizations: ["fp7"] }, "provider.quantizations.0"],
    [{ data_collection: "maybe" }, "provider.data_collection"],
    [{ max_price: { prompt: -1 } }, "provider.max_price.prompt"],
    [{ max_price: { prompt: "1e3" } }, "provider.max_price.prompt"],
  ])("refuses %j with a 400 naming the field", (provider, named) => {
    const parsed = chatRequestSchema.safeParse({ model: "a/b", messages, provider });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const error = invalidRequestError(parsed.error);
    expect(error.status).toBe(400);
    expect(error.message).toContain(named);
  });
});

describe("chatRequestSchema model and models", () => {
  it("accepts `models` without `model`, as OpenRouter does", () => {
    expect(chatRequestSchema.parse({ models: ["a/b", "c/d"], messages })).toMatchObject({ models: ["a/b", "c/d"] });
  });

  it("refuses a request naming no model at all", () => {
    for (const body of [{ messages }, { messages, models: [] }]) {
      const parsed = chatRequestSchema.safeParse(body);
      expect(parsed.success).toBe(false);
      if (!parsed.success) expect(invalidRequestError(parsed.error).message).toBe("Invalid request: model: model is required (or models, a list of models to try in order)");
    }
  });
});
