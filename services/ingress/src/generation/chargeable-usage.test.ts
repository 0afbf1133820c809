import { describe, expect, it } from "vitest";
import { chargeableUsage, noUsage, type ChargeableUsageInput } from "./chargeable-usage.js";
import { estimateUsage } from "./estimate-tokens.js";
import { ResponseAccumulator } from "./response-accumulator.js";

const reported = { promptTokens: 12, completionTokens: 7, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

function input(overrides: Partial<ChargeableUsageInput> & { text?: string; usage?: typeof reported } = {}): ChargeableUsageInput {
  const accumulator = new ResponseAccumulator();
  if (overrides.text) accumulator.add({ type: "text-delta", seq: 1, text: overrides.text });
  if (overrides.usage) accumulator.add({ type: "usage", seq: 2, usage: overrides.usage });
  return { accumulator, connectorProgress: null, failed: false, cancelled: false, deliveredOutput: true, promptBytes: 40, outputBound: 100, ...overrides };
}

describe("chargeableUsage", () => {
  it("charges the provider's own count", () => {
    expect(chargeableUsage(input({ text: "hello", usage: reported }))).toEqual({ usage: reported, estimated: false });
  });

  it("charges nothing for a failure the client got no output from, whatever the provider counted", () => {
    expect(chargeableUsage(input({ usage: reported, failed: true, deliveredOutput: false }))).toEqual({ usage: noUsage, estimated: false });
  });

  it("charges the connector's count when the parts carrying the usage were lost", () => {
    const connectorProgress = { nextSeq: 9, outputBytes: 30, usage: reported, ended: true };
    expect(chargeableUsage(input({ text: "hel", failed: true, connectorProgress }))).toEqual({ usage: reported, estimated: false });
  });

  it("charges a stream cancelled while the model thinks with its reasoning hidden (reasoning.exclude), by the hidden reasoning's size", () => {
    const accumulator = new ResponseAccumulator();
    accumulator.add({ type: "hidden-reasoning-delta", seq: 1, outputBytes: 200 });
    expect(accumulator.producedOutput).toBe(true);
    expect(chargeableUsage({ ...input({ cancelled: true }), accumulator })).toEqual({ usage: estimateUsage(40, 200, 100), estimated: true });
  });

  it("charges nothing for a cancelled or failed generation that produced nothing", () => {
    expect(chargeableUsage(input({ cancelled: true }))).toEqual({ usage: noUsage, estimated: false });
    expect(chargeableUsage(input({ failed: true }))).toEqual({ usage: noUsage, estimated: false });
  });

  it("estimates what was produced without a count, from the larger of what arrived and what the connector published", () => {
    expect(chargeableUsage(input({ text: "hello", cancelled: true }))).toEqual({ usage: estimateUsage(40, 5, 100), estimated: true });
    const connectorProgress = { nextSeq: 9, outputBytes: 64, usage: null, ended: false };
    expect(chargeableUsage(input({ text: "hello", failed: true, connectorProgress }))).toEqual({ usage: estimateUsage(40, 64, 100), estimated: true });
  });
});
