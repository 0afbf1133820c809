import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const resultsDirectory = fileURLToPath(new URL("./results/", import.meta.url));

/**
 * Writes a report (the benchmark's or the soak's) as JSON to `file`, or to
 * test/bench/results/<kind>-<start time>.json; returns the path.
 */
export async function writeBenchReport(report: { readonly startedAt: string }, file: string | undefined, kind: "bench" | "soak" | "telemetry-comparison" | "telemetry-control" = "bench"): Promise<string> {
  const target = file ?? path.join(resultsDirectory, `${kind}-${report.startedAt.replace(/[:.]/g, "-")}.json`);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(report, null, 2)}\n`);
  return target;
}
