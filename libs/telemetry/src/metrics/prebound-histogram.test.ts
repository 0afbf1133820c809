import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { PreboundCounter } from "./prebound-counter.js";
import { PreboundHistogram } from "./prebound-histogram.js";

describe("PreboundHistogram and PreboundCounter", () => {
  it("export what prom-client's own would: cumulative buckets with an inclusive le, +Inf, sum and count", async () => {
    const registry = new Registry();
    const histogram = new PreboundHistogram("latency_seconds", "Latency.", ["route"], [0.1, 1], registry);
    const counter = new PreboundCounter("requests_total", "Requests.", ["route"], registry);
    const child = histogram.child(["/a"]);
    for (const value of [0.05, 0.1, 0.5, 1, 7]) child.observe(value);
    counter.child(["/a"]).inc();
    counter.child(["/b\"quoted\""]).inc(2.5);
    expect(await registry.metrics()).toBe(
      [
        "# HELP latency_seconds Latency.",
        "# TYPE latency_seconds histogram",
        'latency_seconds_bucket{route="/a",le="0.1"} 2',
        'latency_seconds_bucket{route="/a",le="1"} 4',
        'latency_seconds_bucket{route="/a",le="+Inf"} 5',
        'latency_seconds_sum{route="/a"} 8.65',
        'latency_seconds_count{route="/a"} 5',
        "",
        "# HELP requests_total Requests.",
        "# TYPE requests_total counter",
        'requests_total{route="/a"} 1',
        'requests_total{route="/b\\"quoted\\""} 2.5',
        "",
      ].join("\n"),
    );
  });
});
