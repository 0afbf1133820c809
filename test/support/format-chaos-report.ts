import type { ChaosSeriesReport } from "./chaos-series.js";

const columns = [
  ["killed", (run: ChaosSeriesReport["runs"][number]) => run.service],
  ["requests", (run) => run.requests],
  ["answered", (run) => run.answered],
  ["refused", (run) => run.refused],
  ["cut", (run) => run.cut],
  ["hung", (run) => run.hung],
  ["with output", (run) => run.withOutput],
  ["charged", (run) => run.charged],
  ["recorded", (run) => run.recorded],
  ["double charges", (run) => run.doubleCharges],
  ["lost charges", (run) => run.missingCharges],
  ["orphaned holds", (run) => run.orphanedReservations + run.orphanedLeases],
] as const satisfies readonly (readonly [string, (run: ChaosSeriesReport["runs"][number]) => string | number])[];

/** The chaos results as a text table, one row per kill, then the violations (the first 20). */
export function formatChaosReport(report: ChaosSeriesReport): string {
  const rows = [columns.map(([title]) => title), ...report.runs.map((run) => columns.map(([, value]) => String(value(run))))];
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => (row[index] as string).length)));
  const lines = rows.map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index] as number) : cell.padStart(widths[index] as number))).join("  "));
  lines.splice(1, 0, widths.map((width) => "-".repeat(width)).join("  "));
  const shown = report.violations.slice(0, 20);
  lines.push("", report.violations.length === 0 ? "no violations" : `${report.violations.length} violations:`, ...shown.map((violation) => `  ${violation}`));
  if (report.violations.length > shown.length) lines.push(`  … ${report.violations.length - shown.length} more`);
  const diagnoses = report.runs.flatMap((run) => run.diagnoses);
  if (diagnoses.length > 0) lines.push("", "diagnosis of the generations left uncharged:", ...diagnoses);
  return lines.join("\n");
}
