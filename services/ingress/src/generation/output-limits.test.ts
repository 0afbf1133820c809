import type { ChatRequest, RouteCandidate } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { outputBound, outputCap, requestedOutput } from "./output-limits.js";

const request = (limits: Partial<Pick<ChatRequest, "max_tokens" | "max_completion_tokens">>) =>
  ({ model: "m", messages: [{ role: "user", content: "hi" }], ...limits }) as ChatRequest;
const candidate = (maxCompletionTokens: number | null) => ({ maxCompletionTokens, contextLength: 8_000 }) as RouteCandidate;

describe("output limits", () => {
  it.each([
    { limits: {}, cap: 1_000, requested: null, catalogCap: 1_000, bound: 1_000 },
    { limits: {}, cap: null, requested: null, catalogCap: null, bound: 8_000 },
    { limits: { max_tokens: 50 }, cap: 1_000, requested: 50, catalogCap: 50, bound: 50 },
    { limits: { max_tokens: 50, max_completion_tokens: 70 }, cap: null, requested: 70, catalogCap: 70, bound: 70 },
  ])("asks $requested, sends $catalogCap and bounds at $bound with the endpoint's cap $cap", ({ limits, cap, requested, catalogCap, bound }) => {
    expect(requestedOutput(request(limits))).toBe(requested);
    expect(outputCap(request(limits), candidate(cap))).toBe(catalogCap);
    expect(outputBound(request(limits), candidate(cap))).toBe(bound);
  });
});
