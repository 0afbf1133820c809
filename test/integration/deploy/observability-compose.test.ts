import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** YAML 1.1 merge keys (`<<: [*a, *b]`) resolved, as docker compose reads them. */
const readYaml = (file: string): unknown => parse(readFileSync(path.join(repositoryRoot, file), "utf8"), { merge: true });

interface ComposeService {
  image?: string;
  profiles?: string[];
  environment?: Record<string, string | null>;
  volumes?: Array<string | { source?: string }>;
  depends_on?: string[] | Record<string, unknown>;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}
interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}
interface CollectorConfig {
  receivers: Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  service: { extensions?: string[]; pipelines: Record<string, Pipeline> };
}
interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
}

const compose = readYaml("docker-compose.yml") as Compose;
const collector = readYaml("deploy/otel/otel-collector.yaml") as CollectorConfig;
const prometheus = readYaml("deploy/otel/prometheus.yaml") as { scrape_configs: ScrapeConfig[] };
const datasources = readYaml("deploy/otel/grafana/provisioning/datasources/datasources.yaml") as { datasources: Array<{ type: string; url: string }> };

const switchboardServices = ["ingress", "router", "provider-connector", "billing", "metadata-logging"];
const observabilityServices = ["otel-collector", "jaeger", "prometheus", "grafana"];

/** `host:port` of a URL or a bare `host:port`. */
function hostAndPort(address: string): { host: string; port: string } {
  const url = new URL(address.includes("://") ? address : `tcp://${address}`);
  return { host: url.hostname, port: url.port };
}

/** The port a Switchboard service serves /metrics on in compose: ingress's PORT, the others' OPERATIONS_PORT. */
function metricsPortOf(service: string): string | null | undefined {
  const environment = compose.services[service]?.environment ?? {};
  return service === "ingress" ? environment["PORT"] : environment["OPERATIONS_PORT"];
}

/** Issue 12: deploy/otel wired into docker-compose.yml under the `observability` profile, its pieces consistent. */
describe("the observability profile of docker-compose.yml and deploy/otel", () => {
  it("adds the collector, Jaeger, Prometheus and Grafana under the profile only, leaving the stack itself unprofiled", () => {
    for (const name of observabilityServices) expect(compose.services[name]?.profiles, name).toEqual(["observability"]);
    for (const [name, service] of Object.entries(compose.services)) {
      if (!observabilityServices.includes(name)) expect(service.profiles, name).toBeUndefined();
    }
    // The prometheus receiver and exporter are in the collector's contrib distribution only.
    expect(compose.services["otel-collector"]?.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d/);
  });

  it("mounts configuration files that exist and volumes that are declared", () => {
    for (const name of observabilityServices) {
      for (const volume of compose.services[name]?.volumes ?? []) {
        const source = typeof volume === "string" ? (volume.split(":")[0] as string) : (volume.source ?? "");
        if (source.startsWith("./")) expect(existsSync(path.join(repositoryRoot, source)), `${name} mounts ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}'s volume ${source}`).toContain(source);
      }
      const dependencies = compose.services[name]?.depends_on ?? [];
      for (const dependency of Array.isArray(dependencies) ? dependencies : Object.keys(dependencies)) expect(Object.keys(compose.services)).toContain(dependency);
    }
  });

  it("passes every service the OTLP variables, off (empty) unless set, and gives the four bus-only services an operations port", () => {
    for (const name of switchboardServices) {
      const environment = compose.services[name]?.environment ?? {};
      expect(environment["OTEL_EXPORTER_OTLP_ENDPOINT"], name).toBe("${OTEL_EXPORTER_OTLP_ENDPOINT:-}");
      expect(environment["OTEL_EXPORTER_OTLP_PROTOCOL"], name).toBe("${OTEL_EXPORTER_OTLP_PROTOCOL:-http/protobuf}");
      expect(metricsPortOf(name), name).toMatch(/^\d+$/);
    }
    expect(compose.services["ingress"]?.environment?.["ACCESS_LOG"]).toBe("${ACCESS_LOG:-false}");
  });

  it("has collector pipelines that use only components it defines, and defines none it does not use", () => {
    const pipelines = Object.values(collector.service.pipelines);
    expect(Object.keys(collector.service.pipelines).sort()).toEqual(["metrics", "traces"]);
    const used = (kind: "receivers" | "processors" | "exporters") => new Set(pipelines.flatMap((pipeline) => pipeline[kind] ?? []));
    for (const kind of ["receivers", "processors", "exporters"] as const) {
      const defined = Object.keys(collector[kind] ?? {}).sort();
      expect([...used(kind)].sort(), kind).toEqual(defined);
    }
    expect((collector.service.extensions ?? []).sort()).toEqual(Object.keys(collector.extensions ?? {}).sort());
    for (const pipeline of pipelines) expect(pipeline.receivers.length).toBeGreaterThan(0);
    for (const pipeline of pipelines) expect(pipeline.exporters.length).toBeGreaterThan(0);
  });

  it("takes OTLP over gRPC and HTTP on the standard ports the compose file publishes, and sends traces to Jaeger over OTLP", () => {
    const otlp = collector.receivers["otlp"] as { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } };
    expect(hostAndPort(otlp.protocols.grpc.endpoint).port).toBe("4317");
    expect(hostAndPort(otlp.protocols.http.endpoint).port).toBe("4318");
    expect(collector.service.pipelines["traces"]).toMatchObject({ receivers: ["otlp"], exporters: ["otlp/jaeger"] });
    const jaeger = collector.exporters["otlp/jaeger"] as { endpoint: string };
    expect(hostAndPort(jaeger.endpoint)).toEqual({ host: "jaeger", port: "4317" });
    expect(compose.services["jaeger"]?.environment?.["COLLECTOR_OTLP_ENABLED"]).toBe("true");
  });

  it("scrapes every Switchboard service's /metrics on the port compose gives it, and Prometheus scrapes the collector's exporter", () => {
    const receiver = collector.receivers["prometheus"] as { config: { scrape_configs: ScrapeConfig[] } };
    const targets = receiver.config.scrape_configs.flatMap((scrape) => {
      expect(scrape.metrics_path ?? "/metrics").toBe("/metrics");
      return scrape.static_configs.flatMap((group) => group.targets);
    });
    expect(targets.map((target) => hostAndPort(target)).sort((a, b) => a.host.localeCompare(b.host))).toEqual(
      [...switchboardServices].sort().map((name) => ({ host: name, port: metricsPortOf(name) })),
    );
    expect(collector.service.pipelines["metrics"]).toMatchObject({ receivers: ["prometheus"], exporters: ["prometheus"] });

    const exporterPort = hostAndPort((collector.exporters["prometheus"] as { endpoint: string }).endpoint).port;
    const prometheusTargets = prometheus.scrape_configs.flatMap((scrape) => scrape.static_configs.flatMap((group) => group.targets));
    expect(prometheusTargets).toContain(`otel-collector:${exporterPort}`);
  });

  it("points Grafana at the Prometheus and Jaeger of the profile", () => {
    const byType = new Map(datasources.datasources.map((source) => [source.type, hostAndPort(source.url)]));
    expect(byType.get("prometheus")).toEqual({ host: "prometheus", port: "9090" });
    expect(byType.get("jaeger")).toEqual({ host: "jaeger", port: "16686" });
  });
});
