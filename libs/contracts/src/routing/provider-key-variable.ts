import { z } from "zod";

/**
 * The prefixes of the variables Switchboard's own services read (the bus, the database, telemetry, its
 * own settings, libpq's PG*): none of them may be named as a provider's key, whatever its suffix.
 */
export const reservedVariablePrefixes = ["NATS_", "SWITCHBOARD_", "DATABASE_", "POSTGRES", "PG", "OTEL_"] as const;

const providerKeyVariablePattern = /^[A-Z][A-Z0-9_]*_API_KEY$/;

/**
 * Why a name may not hold a provider key, or null when it may. The catalog names the variable
 * (`api_key_env`) and the connector sends its value to the provider's `base_url` as the bearer token; the
 * admin API can set both at run time. So only names that say they hold an API key (`…_API_KEY`) are
 * accepted, and never one of our own settings: otherwise an admin could point a provider at their own
 * host and name `NATS_PASSWORD` or `DATABASE_URL` as its key. The catalog (file and admin API) and the
 * connector (before it reads its environment) apply this same rule.
 */
export function providerKeyVariableProblem(name: string): string | null {
  if (!providerKeyVariablePattern.test(name)) return "must be an environment variable name ending in _API_KEY (uppercase letters, digits, '_'), e.g. OPENAI_API_KEY";
  const reserved = reservedVariablePrefixes.find((prefix) => name.startsWith(prefix));
  if (reserved !== undefined) return `must not start with ${reserved}: that variable belongs to Switchboard's own settings, not to a provider`;
  return null;
}

/** A catalog's `api_key_env`: a variable name `providerKeyVariableProblem` accepts. */
export const providerKeyVariableSchema = z.string().superRefine((name, context) => {
  const problem = providerKeyVariableProblem(name);
  if (problem !== null) context.addIssue({ code: "custom", message: problem });
});
