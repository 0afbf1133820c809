import { readFileSync } from "node:fs";
import { createSubjects } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { createBusPermissions } from "./bus-permissions.js";
import { renderBusPermissionTable } from "./render-bus-permission-table.js";

describe("README's bus permission table", () => {
  it("is the model's table for namespace sb (regenerate: node libs/messaging/dist/print-bus-permission-table.js)", () => {
    const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
    const start = "<!-- bus-permissions:start -->\n";
    const end = "\n<!-- bus-permissions:end -->";
    const table = readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end));
    expect(readme).toContain(start);
    expect(table).toBe(renderBusPermissionTable(createBusPermissions(createSubjects("sb"))));
  });
});
