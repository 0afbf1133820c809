/** PromQL words that are not metric names where an identifier may stand. */
const keywords = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"]);

/**
 * The metric names a PromQL expression selects: every identifier that is not a function, an aggregation
 * modifier's label list, a label matcher, a string, a duration or a Grafana variable. Enough of PromQL for
 * dashboard queries; an expression it cannot read makes it throw rather than report nothing.
 */
export function promqlMetricNames(expression: string): string[] {
  const rest = expression
    // Grafana variables: $__rate_interval, ${datasource}, $model.
    .replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, " ")
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    // Label lists of aggregation and vector-matching modifiers: `by (le, model)`, `on (instance)`.
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  if (/["'`{}[\]]/.test(rest)) throw new Error(`cannot read PromQL expression: ${expression}`);
  const names: string[] = [];
  for (const match of rest.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const after = rest.slice((match.index ?? 0) + word.length);
    if (/^\s*\(/.test(after)) continue; // A function or aggregation: rate(…), sum(…), histogram_quantile(…).
    if (keywords.has(word.toLowerCase())) continue;
    // Exponents of numbers (1e3) start with a digit before them, never a name.
    const before = rest.slice(0, match.index ?? 0);
    if (/[0-9.]$/.test(before)) continue;
    names.push(word);
  }
  return [...new Set(names)];
}
