import { describe, expect, it } from "vitest";
import { describeMissingNatsServer } from "./nats-server-missing.js";

describe("describeMissingNatsServer", () => {
  it("gives the package manager command of the platform and the NATS_URL way out", () => {
    expect(describeMissingNatsServer("linux")).toContain("apt-get install nats-server");
    expect(describeMissingNatsServer("darwin")).toContain("brew install nats-server");
    for (const platform of ["linux", "darwin", "win32"] as const) expect(describeMissingNatsServer(platform)).toContain("NATS_URL=");
  });
});
