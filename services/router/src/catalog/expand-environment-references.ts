const referencePattern = /\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed YAML document, so one catalog
 * file can point the demo provider at wherever its upstream runs (launcher, compose, Kubernetes).
 */
export function expandEnvironmentReferences(value: unknown, environment: Record<string, string | undefined>): unknown {
  if (typeof value === "string") {
    return value.replace(referencePattern, (_match, name: string, fallback: string | undefined) => {
      const found = environment[name];
      if (found !== undefined && found !== "") return found;
      if (fallback !== undefined) return fallback;
      throw new Error(`The catalog refers to \${${name}}, which is not set and has no default`);
    });
  }
  if (Array.isArray(value)) return value.map((item) => expandEnvironmentReferences(item, environment));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandEnvironmentReferences(item, environment)]));
  }
  return value;
}
