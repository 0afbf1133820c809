import { describe, expect, it } from "vitest";
import { providerKeyVariableProblem, providerKeyVariableSchema } from "./provider-key-variable.js";

describe("providerKeyVariableProblem", () => {
  it.each(["OPENAI_API_KEY", "GROQ_API_KEY", "AZURE_OPENAI_API_KEY", "A1_API_KEY"])("accepts %s", (name) => {
    expect(providerKeyVariableProblem(name)).toBeNull();
    expect(providerKeyVariableSchema.safeParse(name).success).toBe(true);
  });

  it.each([
    ["NATS_PASSWORD", /_API_KEY/],
    ["NATS_NKEY_SEED", /_API_KEY/],
    ["DATABASE_URL", /_API_KEY/],
    ["OPENAI_KEY", /_API_KEY/],
    ["openai_api_key", /_API_KEY/],
    ["_API_KEY", /_API_KEY/],
    ["NATS_API_KEY", /must not start with NATS_/],
    ["SWITCHBOARD_ADMIN_API_KEY", /must not start with SWITCHBOARD_/],
    ["DATABASE_API_KEY", /must not start with DATABASE_/],
    ["POSTGRES_API_KEY", /must not start with POSTGRES/],
    ["PGPASSWORD_API_KEY", /must not start with PG/],
    ["OTEL_EXPORTER_API_KEY", /must not start with OTEL_/],
  ])("refuses %s", (name, problem) => {
    expect(providerKeyVariableProblem(name)).toMatch(problem);
    expect(providerKeyVariableSchema.safeParse(name).success).toBe(false);
  });
});
