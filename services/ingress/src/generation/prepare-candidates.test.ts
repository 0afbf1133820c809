import type { ChatRequest, RouteRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { maximumImagePromptTokens } from "./check-supported-request.js";
import { prepareCandidates, routeRequestOf } from "./prepare-candidates.js";
import { routeCandidate } from "./route-candidate.test-support.js";

const small = routeCandidate("m@small", { maxCompletionTokens: 100 });
const large = routeCandidate("m@large", { maxCompletionTokens: null, contextLength: 4_000 });

/** Routing that answers with the given candidates and remembers what it was asked. */
function routingOf(candidates = [small, large]) {
  const asked: RouteRequest[] = [];
  return { asked, route: (request: RouteRequest) => (asked.push(request), { candidates, skipped: [] }), smallestContextLength: () => 0 };
}

const request = (extra: Partial<ChatRequest> = {}) => ({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra }) as ChatRequest;

describe("prepareCandidates", () => {
  it("asks routing for the model first, then the other requested models once, with the provider preferences", () => {
    const routing = routingOf();
    prepareCandidates(routing, request({ models: ["other", "m", "third"], provider: { order: ["small"] } }), 10);
    expect(routing.asked).toEqual([{ models: ["m", "other", "third"], provider: { order: ["small"] }, context: { promptTokens: 1, outputTokens: 0 } }]);
  });

  it("prices each candidate at its most: the prompt bound plus its output cap, or its whole context without one", () => {
    expect(prepareCandidates(routingOf(), request(), 10)).toEqual({
      candidates: [
        { candidate: small, maximumCostMicros: 100 },
        { candidate: large, maximumCostMicros: 4_000 },
      ],
      skipped: [],
      maximumPromptTokens: 10,
    });
  });

  it("prices a candidate with split prices at its worst split: prompt at the dearest prompt-side price, output at the dearer of completion and reasoning, plus the request", () => {
    const split = routeCandidate("m@split", {
      maxCompletionTokens: 100,
      // 1 µ$ per prompt token, 3 per cache write, 0.1 per cache read; 1 per completion token, 2 per reasoning token; 50 per request.
      price: { promptPicosPerToken: "1000000", completionPicosPerToken: "1000000", cacheReadPicosPerToken: "100000", cacheWritePicosPerToken: "3000000", reasoningPicosPerToken: "2000000", requestPicos: "50000000" },
    });
    expect(prepareCandidates(routingOf([split]), request(), 10).candidates).toEqual([{ candidate: split, maximumCostMicros: 10 * 3 + 100 * 2 + 50 }]);
  });

  it("keeps only the endpoints that can produce the output asked for, priced at that output, and says why the others went", () => {
    expect(prepareCandidates(routingOf(), request({ max_tokens: 500 }), 10)).toEqual({
      candidates: [{ candidate: large, maximumCostMicros: 500 }],
      skipped: [{ endpointId: "m@small", modelId: "m", providerId: "small", reason: "max_tokens" }],
      maximumPromptTokens: 10,
    });
  });

  it("refuses a request no endpoint can honour instead of clamping it", () => {
    expect(() => prepareCandidates(routingOf(), request({ max_completion_tokens: 5_000 }), 10)).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, code: "invalid_request", metadata: { max_tokens: 5_000, maximum: 4_000 } }) }),
    );
  });
});

describe("routeRequestOf", () => {
  const base = { messages: [{ role: "user", content: "hi" }] } as ChatRequest;

  it("routes `models` alone, in order and without repeats (OpenRouter accepts a request without `model`)", () => {
    expect(routeRequestOf({ ...base, models: ["a", "b", "a"] })).toMatchObject({ models: ["a", "b"] });
  });

  it("puts `model` first and drops it from `models`", () => {
    expect(routeRequestOf({ ...base, model: "b", models: ["a", "b"] })).toMatchObject({ models: ["b", "a"] });
  });

  it("names the request's parameters only when require_parameters or tools / response_format need them", () => {
    const plain = { ...base, model: "a", temperature: 0.2, max_completion_tokens: 10, seed: null, tool_choice: null } as ChatRequest;
    expect(routeRequestOf(plain)).toEqual({ models: ["a"], context: { promptTokens: 1, outputTokens: 10 } });
    expect(routeRequestOf({ ...plain, response_format: { type: "json_object" } } as ChatRequest).parameters).toEqual(["temperature", "max_tokens", "response_format"]);
    const withTools = { ...plain, tools: [{ type: "function" }] } as ChatRequest;
    expect(routeRequestOf(withTools).parameters).toEqual(["temperature", "max_tokens", "tools"]);
    expect(routeRequestOf({ ...withTools, provider: { require_parameters: true } })).toEqual({
      models: ["a"],
      provider: { require_parameters: true },
      parameters: ["temperature", "max_tokens", "tools"],
      context: { promptTokens: 1, outputTokens: 10 },
    });
  });
});

describe("routeRequestOf: context, modalities and the account's data policy (issue 9)", () => {
  const words = (count: number) => Array.from({ length: count }, (_value, index) => `word${index}`).join(", ");

  it("asks for a context window of the prompt's lower-bound estimate plus the output asked for", () => {
    const asked = routeRequestOf(request({ messages: [{ role: "system", content: words(30) }, { role: "user", content: [{ type: "text", text: words(12) }] }], max_completion_tokens: 300 }));
    expect(asked.context).toEqual({ promptTokens: 42, outputTokens: 300 });
  });

  it("asks for no context check (and counts nothing) when the prompt's bytes and the output fit the smallest window", () => {
    const prompt = request({ messages: [{ role: "user", content: words(30) }], max_completion_tokens: 300 });
    const fitting = { ...routingOf(), smallestContextLength: () => 4_000 };
    prepareCandidates(fitting, prompt, 3_700);
    expect(fitting.asked[0]?.context).toBeUndefined();
    // One byte more than the smallest window holds: the estimate is made.
    const tight = { ...routingOf(), smallestContextLength: () => 4_000 };
    prepareCandidates(tight, prompt, 3_701);
    expect(tight.asked[0]?.context).toEqual({ promptTokens: 30, outputTokens: 300 });
  });

  it("names the inputs besides text the messages carry, and none for a text-only request", () => {
    const image = { type: "image_url", image_url: { url: "https://example.com/cat.png" } };
    const audio = { type: "input_audio", input_audio: { data: "", format: "wav" } };
    expect(routeRequestOf(request({ messages: [{ role: "user", content: [{ type: "text", text: "look" }, image, audio, image] }] })).inputModalities).toEqual(["image", "audio"]);
    expect(routeRequestOf(request())).not.toHaveProperty("inputModalities");
  });

  it("routes with the stricter of the account's and the request's data policy", () => {
    expect(routeRequestOf(request(), { data_collection: "deny", zdr: false }).provider).toEqual({ data_collection: "deny" });
    expect(routeRequestOf(request({ provider: { data_collection: "allow", order: ["x"] } }), { data_collection: "deny", zdr: true }).provider).toEqual({
      data_collection: "deny",
      zdr: true,
      order: ["x"],
    });
    expect(routeRequestOf(request({ provider: { zdr: true } }), { data_collection: "allow", zdr: false }).provider).toEqual({ zdr: true });
    expect(routeRequestOf(request(), { data_collection: "allow", zdr: false })).not.toHaveProperty("provider");
  });
});

describe("prepareCandidates with input besides text", () => {
  const image = { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] };
  const audio = { role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }] };

  it("lets routing refuse first (an image for a text-only model is its 404), then refuses parts it cannot bound (audio)", () => {
    const refusing = { route: () => { throw new Error("routing refused"); }, smallestContextLength: () => 0 };
    expect(() => prepareCandidates(refusing, request({ messages: [image] } as Partial<ChatRequest>), 10)).toThrow("routing refused");
    expect(() => prepareCandidates(routingOf(), request({ messages: [audio] } as Partial<ChatRequest>), 10)).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, code: "unsupported_parameter" }) }),
    );
  });

  it("serves images, bounding each at maximumImagePromptTokens on top of the body's bytes and asking routing for image input", () => {
    // 1 µ$ per prompt token here, so the bound shows in the cost.
    const priced = routeCandidate("m@priced", { maxCompletionTokens: 100, price: { promptPicosPerToken: "1000000", completionPicosPerToken: "1000000" } });
    const routing = routingOf([priced]);
    const prepared = prepareCandidates(routing, request({ messages: [image, image] } as Partial<ChatRequest>), 10);
    expect(prepared.maximumPromptTokens).toBe(10 + 2 * maximumImagePromptTokens);
    expect(prepared.candidates).toEqual([{ candidate: priced, maximumCostMicros: 10 + 2 * maximumImagePromptTokens + 100 }]);
    expect(routing.asked[0]?.inputModalities).toEqual(["image"]);
  });
});
