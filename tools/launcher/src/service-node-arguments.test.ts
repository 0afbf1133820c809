import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serviceEntryPoint } from "./service-environment.js";
import { serviceHeapFlags, serviceNodeArguments, serviceTracingFlags } from "./service-node-arguments.js";

const dockerfile = readFileSync(new URL("../../../deploy/docker/Dockerfile", import.meta.url), "utf8");

describe("serviceNodeArguments", () => {
  it("passes the heap flags and the tracing start-up to node before the service's entry point", () => {
    expect(serviceNodeArguments("ingress", {})).toEqual([...serviceHeapFlags, ...serviceTracingFlags, serviceEntryPoint("ingress")]);
  });

  it("adds a CPU profile per service when SWITCHBOARD_CPU_PROFILE_DIR is set", () => {
    expect(serviceNodeArguments("billing", { SWITCHBOARD_CPU_PROFILE_DIR: "/tmp/profiles" })).toEqual([
      ...serviceHeapFlags,
      ...serviceTracingFlags,
      "--cpu-prof",
      "--cpu-prof-dir=/tmp/profiles",
      "--cpu-prof-name=billing.cpuprofile",
      serviceEntryPoint("billing"),
    ]);
  });

  it("are the flags the Docker image starts every service with", () => {
    const command = /^CMD (.+)$/m.exec(dockerfile)?.[1] ?? "";
    expect(command).toContain(`exec node ${[...serviceHeapFlags, ...serviceTracingFlags].join(" ")} `);
  });

  it("are flags this node accepts (V8 flags can go away with a Node.js upgrade, and node then refuses to start)", () => {
    const run = spawnSync(process.execPath, [...serviceHeapFlags, "-e", "0"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("load the tracing start-up from the repository root, where services start (needs the build), and start no SDK without an endpoint", () => {
    const repositoryRoot = new URL("../../../", import.meta.url).pathname;
    const probe = "const api = Symbol.for('opentelemetry.js.api.1'); process.stdout.write(String(globalThis[api]?.trace !== undefined))";
    const environment = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "" };
    const run = spawnSync(process.execPath, [...serviceTracingFlags, "-e", probe], { encoding: "utf8", cwd: repositoryRoot, env: environment });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("false");
    const traced = spawnSync(process.execPath, [...serviceTracingFlags, "-e", probe], {
      encoding: "utf8",
      cwd: repositoryRoot,
      env: { ...environment, OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
    });
    expect(traced.stderr).toBe("");
    expect(traced.stdout).toBe("true");
  });
});
