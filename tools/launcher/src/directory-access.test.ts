import { describe, expect, it } from "vitest";
import { findDirectoryClosedToOthers } from "./directory-access.js";

describe("findDirectoryClosedToOthers", () => {
  const modes: Record<string, number> = { "/": 0o755, "/root": 0o700, "/root/app": 0o755, "/srv": 0o755, "/srv/app": 0o755, "/srv/app/.switchboard": 0o755 };
  const mode = (candidate: string) => modes[candidate];

  it("finds a directory the postgres user cannot enter", () => {
    expect(findDirectoryClosedToOthers("/root/app/.switchboard/postgres", mode)).toBe("/root");
  });

  it("accepts an open path, including parts that do not exist yet", () => {
    expect(findDirectoryClosedToOthers("/srv/app/.switchboard/postgres", mode)).toBeUndefined();
  });

  it("does not mind the data directory itself being private", () => {
    expect(findDirectoryClosedToOthers("/srv/app/.switchboard/postgres", (candidate) => (candidate.endsWith("postgres") ? 0o700 : 0o755))).toBeUndefined();
  });

  it("checks the root directory too", () => {
    expect(findDirectoryClosedToOthers("/srv", (candidate) => (candidate === "/" ? 0o750 : 0o755))).toBe("/");
  });
});
