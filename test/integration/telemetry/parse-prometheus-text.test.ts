import { describe, expect, it } from "vitest";
import { parsePrometheusText, PrometheusTextError, sampleSum } from "../../support/parse-prometheus-text.js";

const valid = `# HELP requests_total Requests, by "route".\\nSecond line with a \\\\ backslash.
# TYPE requests_total counter
requests_total{route="/a",status="200"} 3
requests_total{route="/b\\"c\\\\d\\ne",status="500",} 1.5e0 1700000000000
# TYPE lag gauge
lag -Inf
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 1
latency_seconds_bucket{le="1"} 2
latency_seconds_bucket{le="+Inf"} 3
latency_seconds_sum 4.2
latency_seconds_count 3
# an ordinary comment
untyped_thing NaN
other_thing Nan
`;

describe("parsePrometheusText", () => {
  it("reads families, escapes, timestamps, special values and histograms", () => {
    const families = parsePrometheusText(valid);
    const requests = families.get("requests_total");
    expect(requests?.type).toBe("counter");
    expect(requests?.help).toBe('Requests, by "route".\nSecond line with a \\ backslash.');
    expect(requests?.samples[1]?.labels).toEqual({ route: '/b"c\\d\ne', status: "500" });
    expect(families.get("lag")?.samples[0]?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(families.get("latency_seconds")?.samples).toHaveLength(5);
    expect(families.get("untyped_thing")?.type).toBe("untyped");
    // prom-client writes NaN as "Nan"; Prometheus reads special values in any case.
    expect(families.get("other_thing")?.samples[0]?.value).toBeNaN();
    expect(sampleSum(families, "requests_total")).toBe(4.5);
    expect(sampleSum(families, "requests_total", { status: "200" })).toBe(3);
    expect(sampleSum(families, "requests_total", { status: "404" })).toBe(0);
  });

  it.each([
    ["no final line feed", "a 1"],
    ["a bad metric name", "1a 1\n"],
    ["a bad label name", 'a{1b="x"} 1\n'],
    ["an unquoted label value", "a{b=x} 1\n"],
    ["an unterminated label value", 'a{b="x} 1\n'],
    ["a bad escape", 'a{b="\\t"} 1\n'],
    ["a label twice", 'a{b="x",b="y"} 1\n'],
    ["a bad number", "a one\n"],
    ["no value", "a\n"],
    ["an unknown type", "# TYPE a meter\na 1\n"],
    ["a TYPE twice", "# TYPE a counter\n# TYPE a counter\na 1\n"],
    ["a TYPE after the samples", "a 1\n# TYPE a counter\n"],
    ["a duplicate series", 'a{b="x"} 1\na{b="x"} 2\n'],
    ["a family split in two", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n"],
    ["a sample that fits no type", "# TYPE a histogram\na 1\n"],
    ["a bucket without le", "# TYPE a histogram\na_bucket 1\na_count 1\n"],
    ["buckets that are not cumulative", '# TYPE a histogram\na_bucket{le="1"} 2\na_bucket{le="+Inf"} 1\na_count 1\n'],
    ["no +Inf bucket", '# TYPE a histogram\na_bucket{le="1"} 1\na_count 1\n'],
    ["a count that is not the +Inf bucket", '# TYPE a histogram\na_bucket{le="+Inf"} 2\na_count 1\n'],
  ])("refuses %s", (_problem, text) => {
    expect(() => parsePrometheusText(text)).toThrow(PrometheusTextError);
  });
});
