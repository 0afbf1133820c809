/** The library instrumentations Switchboard can turn on, by their OTel names without `@opentelemetry/instrumentation-`. */
export const libraryInstrumentationNames = ["undici", "pg"] as const;
export type LibraryInstrumentationName = (typeof libraryInstrumentationNames)[number];

/**
 * The library instrumentations to turn on, read as `@opentelemetry/auto-instrumentations-node` reads them:
 * `OTEL_NODE_ENABLED_INSTRUMENTATIONS` (comma-separated, names without the `@opentelemetry/instrumentation-`
 * prefix) keeps only those it names, else all; then `OTEL_NODE_DISABLED_INSTRUMENTATIONS` removes those it
 * names. A name Switchboard does not have is refused, so a typo does not silently keep an instrumentation on.
 *
 * Both are on by default. Each costs CPU on every call it follows (a span per upstream request, one per
 * SQL statement): turning them off keeps Switchboard's own spans, the upstream span included.
 */
export function enabledLibraryInstrumentations(environment: NodeJS.ProcessEnv): LibraryInstrumentationName[] {
  const enabled = namesIn(environment, "OTEL_NODE_ENABLED_INSTRUMENTATIONS");
  const disabled = namesIn(environment, "OTEL_NODE_DISABLED_INSTRUMENTATIONS");
  return libraryInstrumentationNames.filter((name) => (enabled === undefined || enabled.includes(name)) && !(disabled ?? []).includes(name));
}

function namesIn(environment: NodeJS.ProcessEnv, variable: string): string[] | undefined {
  const value = environment[variable]?.trim();
  if (!value) return undefined;
  const names = value.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !(libraryInstrumentationNames as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`${variable}: ${unknown.map((name) => `"${name}"`).join(", ")} is not an instrumentation Switchboard has; it has ${libraryInstrumentationNames.join(", ")}`);
  return names;
}
