import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serviceEntryPoint } from "./service-environment.js";
import { serviceHeapFlags, serviceNodeArguments } from "./service-node-arguments.js";

const dockerfile = readFileSync(new URL("../../../deploy/docker/Dockerfile", import.meta.url), "utf8");

describe("serviceNodeArguments", () => {
  it("passes the heap flags to node before the service's entry point", () => {
    expect(serviceNodeArguments("ingress", {})).toEqual([...serviceHeapFlags, serviceEntryPoint("ingress")]);
  });

  it("adds a CPU profile per service when SWITCHBOARD_CPU_PROFILE_DIR is set", () => {
    expect(serviceNodeArguments("billing", { SWITCHBOARD_CPU_PROFILE_DIR: "/tmp/profiles" })).toEqual([
      ...serviceHeapFlags,
      "--cpu-prof",
      "--cpu-prof-dir=/tmp/profiles",
      "--cpu-prof-name=billing.cpuprofile",
      serviceEntryPoint("billing"),
    ]);
  });

  it("are the flags the Docker image starts every service with", () => {
    const command = /^CMD (.+)$/m.exec(dockerfile)?.[1] ?? "";
    expect(command).toContain(`exec node ${serviceHeapFlags.join(" ")} `);
  });

  it("are flags this node accepts (V8 flags can go away with a Node.js upgrade, and node then refuses to start)", () => {
    const run = spawnSync(process.execPath, [...serviceHeapFlags, "-e", "0"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
