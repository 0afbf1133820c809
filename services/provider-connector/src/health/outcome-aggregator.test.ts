import { describe, expect, it } from "vitest";
import { endpointOutcomeReportSchema, maximumOutcomeSamples } from "@switchboard/contracts";
import { OutcomeAggregator } from "./outcome-aggregator.js";

describe("OutcomeAggregator (issue 9)", () => {
  it("sums outcomes per endpoint, counts trailing failures, and starts afresh after take", () => {
    const aggregator = new OutcomeAggregator(() => 0);
    expect(aggregator.record({ endpointId: "a", outcome: "server_error" })).toBe(true);
    expect(aggregator.record({ endpointId: "a", outcome: "ok", timeToFirstTokenMilliseconds: 120, outputTokensPerSecond: 80 })).toBe(false);
    expect(aggregator.record({ endpointId: "a", outcome: "timeout" })).toBe(true);
    expect(aggregator.record({ endpointId: "a", outcome: "client_error" })).toBe(false);
    expect(aggregator.record({ endpointId: "a", outcome: "connect_error" })).toBe(true);
    aggregator.record({ endpointId: "b", outcome: "ok" });
    const endpoints = aggregator.take();
    expect(endpoints).toEqual([
      {
        endpointId: "a",
        counts: { ok: 1, rate_limited: 0, server_error: 1, timeout: 1, connect_error: 1, client_error: 1 },
        trailingFailures: 2,
        timeToFirstTokenMilliseconds: [120],
        outputTokensPerSecond: [80],
      },
      { endpointId: "b", counts: { ok: 1, rate_limited: 0, server_error: 0, timeout: 0, connect_error: 0, client_error: 0 }, trailingFailures: 0, timeToFirstTokenMilliseconds: [], outputTokensPerSecond: [] },
    ]);
    expect(() => endpointOutcomeReportSchema.parse({ version: 1, sentAt: new Date().toISOString(), endpoints })).not.toThrow();
    expect(aggregator.take()).toEqual([]);
  });

  it("keeps at most the schema's number of samples, however many attempts", () => {
    const aggregator = new OutcomeAggregator(() => 0.5);
    for (let attempt = 0; attempt < 1_000; attempt += 1) aggregator.record({ endpointId: "a", outcome: "ok", timeToFirstTokenMilliseconds: attempt });
    const [entry] = aggregator.take();
    expect(entry?.counts.ok).toBe(1_000);
    expect(entry?.timeToFirstTokenMilliseconds).toHaveLength(maximumOutcomeSamples);
  });
});
