/** One sample line: its name (with any `_bucket`/`_sum`/`_count` suffix), labels and value. */
export interface PrometheusSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export type PrometheusType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

/** A metric family: its `# TYPE` and `# HELP` and every sample of it. */
export interface PrometheusFamily {
  name: string;
  type: PrometheusType;
  help: string | undefined;
  samples: PrometheusSample[];
}

/** The text is not valid Prometheus text exposition format (version 0.0.4); the message names the line. */
export class PrometheusTextError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = "PrometheusTextError";
  }
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types: readonly PrometheusType[] = ["counter", "gauge", "histogram", "summary", "untyped"];
const suffixesByType: Readonly<Record<PrometheusType, readonly string[]>> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

/**
 * A strict parser of the Prometheus text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), for tests that must
 * fail when a scrape would: bad metric or label names, bad escapes, bad numbers, `# TYPE` after samples
 * or twice, a family's samples not together, a sample that fits no declared family's type, duplicate
 * series, and histograms whose buckets are not cumulative or lack `+Inf` = `_count`.
 */
export function parsePrometheusText(text: string): Map<string, PrometheusFamily> {
  if (text.length > 0 && !text.endsWith("\n")) throw new PrometheusTextError(text.split("\n").length, "the text must end with a line feed");
  const families = new Map<string, PrometheusFamily>();
  const finished = new Set<string>();
  const seenSeries = new Set<string>();
  const typed = new Set<string>();
  let current: PrometheusFamily | undefined;
  const lines = text.split("\n");
  lines.pop();

  const familyOf = (sampleName: string, lineNumber: number): PrometheusFamily => {
    for (const family of [current, ...families.values()]) {
      if (family === undefined) continue;
      for (const suffix of suffixesByType[family.type]) {
        if (`${family.name}${suffix}` === sampleName) return family;
      }
    }
    if (families.has(sampleName)) throw new PrometheusTextError(lineNumber, `sample ${sampleName} does not fit its family's type`);
    // A sample with no TYPE line is untyped, in a family of its own name.
    const family: PrometheusFamily = { name: sampleName, type: "untyped", help: undefined, samples: [] };
    families.set(sampleName, family);
    return family;
  };
  const enter = (family: PrometheusFamily, lineNumber: number) => {
    if (current === family) return;
    if (finished.has(family.name)) throw new PrometheusTextError(lineNumber, `the samples of ${family.name} are not together`);
    if (current) finished.add(current.name);
    current = family;
  };

  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!match) return; // An ordinary comment.
      const [, keyword, name = "", rest = ""] = match;
      if (!metricName.test(name)) throw new PrometheusTextError(lineNumber, `bad metric name "${name}"`);
      let family = families.get(name);
      if (keyword === "TYPE") {
        const type = rest.trim() as PrometheusType;
        if (!types.includes(type)) throw new PrometheusTextError(lineNumber, `unknown type "${rest}"`);
        if (typed.has(name) || (family && family.samples.length > 0)) throw new PrometheusTextError(lineNumber, `TYPE of ${name} after its samples or twice`);
        if (!family) {
          family = { name, type, help: undefined, samples: [] };
          families.set(name, family);
        } else family.type = type;
        typed.add(name);
      } else {
        if (family?.help !== undefined) throw new PrometheusTextError(lineNumber, `HELP of ${name} twice`);
        if (!family) {
          family = { name, type: "untyped", help: undefined, samples: [] };
          families.set(name, family);
        }
        family.help = unescapeHelp(rest, lineNumber);
      }
      enter(family, lineNumber);
      return;
    }
    const sample = parseSampleLine(line, lineNumber);
    const family = familyOf(sample.name, lineNumber);
    enter(family, lineNumber);
    if (family.type === "histogram" && sample.name.endsWith("_bucket") && sample.labels["le"] === undefined) throw new PrometheusTextError(lineNumber, `bucket without le`);
    if (family.type === "summary" && sample.name === family.name && sample.labels["quantile"] === undefined) throw new PrometheusTextError(lineNumber, `summary sample without quantile`);
    const series = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (seenSeries.has(series)) throw new PrometheusTextError(lineNumber, `duplicate series ${series}`);
    seenSeries.add(series);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

/** The sum of the samples named `sampleName` whose labels include all of `labels` (0 when none). */
export function sampleSum(families: Map<string, PrometheusFamily>, sampleName: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== sampleName) continue;
      if (Object.entries(labels).every(([name, value]) => sample.labels[name] === value)) sum += sample.value;
    }
  }
  return sum;
}

function parseSampleLine(line: string, lineNumber: number): PrometheusSample {
  let position = 0;
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new PrometheusTextError(lineNumber, `bad sample line "${line}"`);
  const name = nameMatch[0];
  position = name.length;
  const labels: Record<string, string> = {};
  if (line[position] === "{") {
    position += 1;
    for (;;) {
      if (line[position] === "}") {
        position += 1;
        break;
      }
      const labelMatch = /^[^=]*/.exec(line.slice(position));
      const label = labelMatch?.[0] ?? "";
      if (!labelName.test(label)) throw new PrometheusTextError(lineNumber, `bad label name "${label}"`);
      if (label in labels) throw new PrometheusTextError(lineNumber, `label ${label} twice`);
      position += label.length;
      if (line[position] !== "=" || line[position + 1] !== '"') throw new PrometheusTextError(lineNumber, `label ${label} has no quoted value`);
      position += 2;
      let value = "";
      for (;;) {
        const character = line[position];
        if (character === undefined) throw new PrometheusTextError(lineNumber, `unterminated value of label ${label}`);
        position += 1;
        if (character === '"') break;
        if (character === "\\") {
          const escaped = line[position];
          position += 1;
          if (escaped === "\\") value += "\\";
          else if (escaped === '"') value += '"';
          else if (escaped === "n") value += "\n";
          else throw new PrometheusTextError(lineNumber, `bad escape \\${escaped ?? ""} in label ${label}`);
          continue;
        }
        value += character;
      }
      labels[label] = value;
      if (line[position] === ",") position += 1;
      else if (line[position] !== "}") throw new PrometheusTextError(lineNumber, `expected , or } after label ${label}`);
    }
  }
  const rest = line.slice(position);
  const valueMatch = /^ +(\S+)(?: +(-?\d+))? *$/.exec(rest);
  if (!valueMatch) throw new PrometheusTextError(lineNumber, `bad value part "${rest}"`);
  return { name, labels, value: parseValue(valueMatch[1] ?? "", lineNumber) };
}

/**
 * A sample value as Prometheus reads it (Go's strconv.ParseFloat): special values in any case, since
 * prom-client writes NaN as `Nan` (nodejs_eventloop_lag_mean_seconds before the first sample).
 */
function parseValue(text: string, lineNumber: number): number {
  if (/^\+?inf(?:inity)?$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf(?:inity)?$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new PrometheusTextError(lineNumber, `bad number "${text}"`);
  return Number(text);
}

function unescapeHelp(text: string, lineNumber: number): string {
  return text.replace(/\\(.?)/g, (_whole, escaped: string) => {
    if (escaped === "\\") return "\\";
    if (escaped === "n") return "\n";
    throw new PrometheusTextError(lineNumber, `bad escape \\${escaped} in HELP`);
  });
}

/** Per label set (without `le`): buckets cumulative in `le` order, a `+Inf` bucket, and `_count` equal to it. */
function checkHistogram(family: PrometheusFamily): void {
  const groups = new Map<string, { buckets: Array<{ le: number; value: number }>; count: number | undefined }>();
  const groupOf = (labels: Readonly<Record<string, string>>) => {
    const key = JSON.stringify(Object.entries(labels).filter(([name]) => name !== "le").sort(([a], [b]) => (a < b ? -1 : 1)));
    let group = groups.get(key);
    if (!group) {
      group = { buckets: [], count: undefined };
      groups.set(key, group);
    }
    return group;
  };
  for (const sample of family.samples) {
    if (sample.name.endsWith("_bucket")) groupOf(sample.labels).buckets.push({ le: parseValue(sample.labels["le"] ?? "", 0), value: sample.value });
    else if (sample.name.endsWith("_count")) groupOf(sample.labels).count = sample.value;
  }
  for (const [key, group] of groups) {
    const sorted = [...group.buckets].sort((a, b) => a.le - b.le);
    for (let index = 1; index < sorted.length; index++) {
      if ((sorted[index]?.value ?? 0) < (sorted[index - 1]?.value ?? 0)) throw new PrometheusTextError(0, `${family.name}${key}: buckets are not cumulative`);
    }
    const infinite = sorted.at(-1);
    if (infinite?.le !== Number.POSITIVE_INFINITY) throw new PrometheusTextError(0, `${family.name}${key}: no +Inf bucket`);
    if (group.count !== infinite.value) throw new PrometheusTextError(0, `${family.name}${key}: _count ${String(group.count)} is not the +Inf bucket ${infinite.value}`);
  }
}
