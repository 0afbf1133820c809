import { z } from "zod";
import { describe, expect, it } from "vitest";
import { describeSchemaIssues } from "./describe-schema-issues.js";

describe("describeSchemaIssues", () => {
  const schema = z.object({ generationId: z.string(), usage: z.object({ promptTokens: z.number().int().nonnegative() }), status: z.enum(["success", "error"]) });

  it("names each issue by path and message, without the values received", () => {
    const result = schema.safeParse({ generationId: 42, usage: { promptTokens: -7 }, status: "secret-customer-text" });
    expect(result.success).toBe(false);
    const description = describeSchemaIssues(result.error?.issues ?? []);
    expect(description).toMatch(/^generationId: .+; usage\.promptTokens: .+; status: .+$/);
    expect(description).not.toContain("42");
    expect(description).not.toContain("-7");
    expect(description).not.toContain("secret-customer-text");
  });

  it("describes a fact that is not an object at the root, and counts issues beyond ten", () => {
    const root = schema.safeParse("just text");
    expect(describeSchemaIssues(root.error?.issues ?? [])).toMatch(/^\(root\): /);
    const many = z.array(z.string()).safeParse(Array.from({ length: 12 }, (_value, index) => index));
    expect(describeSchemaIssues(many.error?.issues ?? [])).toMatch(/^0: .*; 9: [^;]+; and 2 more$/);
  });
});
