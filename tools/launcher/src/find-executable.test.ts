import { describe, expect, it } from "vitest";
import { findExecutable } from "./find-executable.js";

describe("findExecutable", () => {
  const present = new Set(["/usr/sbin/nats-server", "/opt/bin/nats-server"]);
  const isExecutable = (candidate: string) => present.has(candidate);

  it("takes the first match on PATH", () => {
    expect(findExecutable("nats-server", { searchPath: "/usr/bin:/opt/bin::/usr/sbin", isExecutable })).toBe("/opt/bin/nats-server");
  });

  it("falls back to the extra directories", () => {
    expect(findExecutable("nats-server", { searchPath: "/usr/bin", extraDirectories: ["/usr/sbin"], isExecutable })).toBe(
      "/usr/sbin/nats-server",
    );
  });

  it("returns undefined when absent", () => {
    expect(findExecutable("nats-server", { searchPath: undefined, extraDirectories: ["/nowhere"], isExecutable })).toBeUndefined();
  });
});
