import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadConfig } from "./load-config.js";

describe("loadConfig", () => {
  const schema = z.object({ PORT: z.coerce.number().int(), NAME: z.string().min(1), MODE: z.enum(["a", "b"]).default("a") });

  it("returns a frozen typed config with defaults", () => {
    const config = loadConfig(schema, { PORT: "8080", NAME: "x" });
    expect(config).toEqual({ PORT: 8080, NAME: "x", MODE: "a" });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reports every problem at once", () => {
    try {
      loadConfig(schema, { PORT: "eighty", MODE: "c" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems.join("\n")).toMatch(/PORT/);
      expect(problems.join("\n")).toMatch(/NAME/);
      expect(problems.join("\n")).toMatch(/MODE/);
    }
  });
});
