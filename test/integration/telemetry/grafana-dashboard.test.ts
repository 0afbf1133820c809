import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { exportedMetricNames, metricNames } from "@switchboard/telemetry";
import { describe, expect, it } from "vitest";
import { promqlMetricNames } from "../../support/promql-metric-names.js";

const dashboardFile = fileURLToPath(new URL("../../../deploy/otel/grafana/dashboards/switchboard-dashboard.json", import.meta.url));

interface Target {
  refId?: unknown;
  expr?: unknown;
  datasource?: unknown;
}
interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: { h?: unknown; w?: unknown; x?: unknown; y?: unknown };
  datasource?: unknown;
  targets?: Target[];
}

/** Histogram series are queried as `<name>_bucket`, `_sum` and `_count`. */
const histogramNames: ReadonlySet<string> = new Set([
  metricNames.httpRequestDuration,
  metricNames.generationDuration,
  metricNames.generationTimeToFirstToken,
  metricNames.natsRequestDuration,
]);

/** The exported metric a queried series belongs to, or the name itself when it is not a histogram's. */
function exportedNameOf(series: string): string {
  const histogram = /^(.*)_(?:bucket|sum|count)$/.exec(series)?.[1];
  return histogram !== undefined && histogramNames.has(histogram) ? histogram : series;
}

describe("promqlMetricNames", () => {
  it("finds the metrics of an expression and nothing else", () => {
    expect(
      promqlMetricNames('histogram_quantile(0.95, sum by (le, model) (rate(switchboard_generation_duration_seconds_bucket{route="/x", model=~"a|b"}[$__rate_interval]))) * 1e3'),
    ).toEqual(["switchboard_generation_duration_seconds_bucket"]);
    expect(promqlMetricNames("max(up) / on (instance) group_left (job) other_metric offset 5m")).toEqual(["up", "other_metric"]);
  });

  it("refuses what it cannot read rather than finding nothing", () => {
    expect(() => promqlMetricNames('rate(x{a="b"')).toThrow();
  });
});

describe("the Grafana dashboard (deploy/otel/grafana/dashboards/switchboard-dashboard.json, issue 12)", () => {
  const dashboard = JSON.parse(readFileSync(dashboardFile, "utf8")) as {
    uid?: unknown;
    title?: unknown;
    schemaVersion?: unknown;
    panels?: Panel[];
    templating?: { list?: Array<{ name?: unknown; type?: unknown }> };
  };
  const panels = dashboard.panels ?? [];
  const queryPanels = panels.filter((panel) => panel.type !== "row");
  const expressions = queryPanels.flatMap((panel) => (panel.targets ?? []).map((target) => String(target.expr)));

  it("has what Grafana needs to import it: uid, title, schema version, panels with ids, positions and queries", () => {
    expect(dashboard.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(typeof dashboard.title).toBe("string");
    expect(dashboard.schemaVersion).toEqual(expect.any(Number));
    expect(dashboard.schemaVersion as number).toBeGreaterThanOrEqual(36);
    expect(queryPanels.length).toBeGreaterThan(0);
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(panel.id, String(panel.title)).toEqual(expect.any(Number));
      expect(panel.title, String(panel.id)).toEqual(expect.any(String));
      const { h, w, x, y } = panel.gridPos ?? {};
      for (const value of [h, w, x, y]) expect(value, String(panel.title)).toEqual(expect.any(Number));
      expect((x as number) + (w as number), String(panel.title)).toBeLessThanOrEqual(24);
    }
    // The data source is chosen on import: every panel and query names the `datasource` variable.
    expect(dashboard.templating?.list).toContainEqual(expect.objectContaining({ name: "datasource", type: "datasource" }));
    for (const panel of queryPanels) {
      expect(panel.datasource, String(panel.title)).toEqual({ type: "prometheus", uid: "${datasource}" });
      expect(panel.targets?.length, String(panel.title)).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, String(panel.title)).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.expr, String(panel.title)).toEqual(expect.any(String));
        expect(String(target.expr).trim(), String(panel.title)).not.toBe("");
      }
    }
  });

  it("queries only metrics the services export", () => {
    const exported = new Set(exportedMetricNames);
    for (const expression of expressions) {
      const names = promqlMetricNames(expression);
      expect(names.length, expression).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(exportedNameOf(name)), `${name} in ${expression}`).toBe(true);
    }
  });

  it("shows every Switchboard series: requests, latency, time to first token, tokens, cost, errors, fallbacks, lag and the rest", () => {
    const queried = new Set(expressions.flatMap(promqlMetricNames).map(exportedNameOf));
    for (const name of Object.values(metricNames)) expect(queried.has(name), name).toBe(true);
  });
});
