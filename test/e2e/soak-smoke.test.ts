import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatSoakReport } from "../bench/format-soak-report.js";
import { runSoak } from "../bench/run-soak.js";
import { readSoakOptions } from "../bench/soak-options.js";
import type { SoakReport } from "../bench/soak-report.js";
import { writeBenchReport } from "../bench/write-bench-report.js";

// Issue 7: `npm run soak` must not rot. The same soak for 25 seconds: every request answered in full,
// every generation recorded and settled once, and no process far above its usual size. It asserts no
// slope: 25 seconds show V8 settling into its heap, not growth.

const stackProcesses = ["ingress", "router", "provider-connector", "billing", "metadata-logging", "nats-server", "postgres"];
/**
 * Far above what any of them holds (100 to 180 MiB each, nats-server 30), so only a process that runs
 * away fails it. postgres is left out: its RSS counts the shared buffers once per backend.
 */
const generousRssMiB = 400;

describe("npm run soak, in small", () => {
  let directory = "";

  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("drives steady mixed traffic through the stack as deployed, samples every process's memory and settles every request once", async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-soak-smoke-"));
    const options = readSoakOptions({ SOAK_DURATION: "25s", SOAK_WARM_UP: "5s", SOAK_SAMPLE_INTERVAL: "1s", SOAK_REQUESTS_PER_SECOND: "20" });
    const report = await runSoak(options);
    const file = await writeBenchReport(report, path.join(directory, "report.json"), "soak");
    const table = formatSoakReport(report);

    const written = JSON.parse(await readFile(file, "utf8")) as SoakReport;
    expect(written).toEqual(JSON.parse(JSON.stringify(report)));
    expect(table).not.toMatch(/NaN|Infinity|undefined/);
    expect(written.processes.map((figures) => figures.name)).toEqual([...stackProcesses, "fake upstream"]);
    for (const figures of written.processes) {
      expect(figures.samples.length, `samples of ${figures.name}`).toBeGreaterThanOrEqual(20);
      expect(figures.startRssMiB, `RSS of ${figures.name}`).toBeGreaterThan(0);
      expect(["no growth", "grows"]).toContain(figures.verdict);
    }
    for (const figures of written.processes.filter((process) => process.name !== "postgres")) {
      expect(figures.maxRssMiB, `largest RSS of ${figures.name}`).toBeLessThan(generousRssMiB);
    }

    expect(written.traffic.requests, "requests sent").toBeGreaterThan(100);
    expect(written.traffic.streamed, "about half of them streamed").toBeGreaterThan(written.traffic.requests / 3);
    expect(written.traffic.failures, "requests not answered in full").toEqual({});
    expect(written.traffic.answeredInFull).toBe(written.traffic.requests);
    expect(written.audit).toMatchObject({
      generationsRecorded: written.traffic.requests,
      generationsCharged: written.traffic.requests,
      missingCharges: 0,
      chargedTwice: 0,
      costMismatches: 0,
      pendingReservations: 0,
      reservedMicros: 0,
      balanceMicros: written.audit.ledgerMicros,
      exact: true,
    });
  }, 120_000);
});
