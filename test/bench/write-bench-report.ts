import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchReport } from "./bench-report.js";

const resultsDirectory = fileURLToPath(new URL("./results/", import.meta.url));

/** Writes the report as JSON to `file`, or to test/bench/results/bench-<start time>.json; returns the path. */
export async function writeBenchReport(report: BenchReport, file: string | undefined): Promise<string> {
  const target = file ?? path.join(resultsDirectory, `bench-${report.startedAt.replace(/[:.]/g, "-")}.json`);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(report, null, 2)}\n`);
  return target;
}
