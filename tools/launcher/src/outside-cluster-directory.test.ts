import { describe, expect, it } from "vitest";
import { outsideClusterDirectory } from "./outside-cluster-directory.js";

describe("outsideClusterDirectory", () => {
  it("is named after the checkout and lives under /var/lib/switchboard", () => {
    expect(outsideClusterDirectory({ repositoryRoot: "/root/switchboard", dataDirectory: "/root/switchboard/.switchboard/postgres" })).toMatch(
      /^\/var\/lib\/switchboard\/switchboard-[0-9a-f]{10}$/,
    );
  });

  it("is the same on every start of the same checkout", () => {
    const options = { repositoryRoot: "/root/app", dataDirectory: "/root/app/.switchboard/postgres" };
    expect(outsideClusterDirectory(options)).toBe(outsideClusterDirectory({ ...options, dataDirectory: "/root/app/.switchboard/./postgres/" }));
  });

  it("differs for two checkouts of the same name and for two state directories", () => {
    const first = outsideClusterDirectory({ repositoryRoot: "/root/a/switchboard", dataDirectory: "/root/a/switchboard/.switchboard/postgres" });
    const second = outsideClusterDirectory({ repositoryRoot: "/root/b/switchboard", dataDirectory: "/root/b/switchboard/.switchboard/postgres" });
    const otherState = outsideClusterDirectory({ repositoryRoot: "/root/a/switchboard", dataDirectory: "/root/state/postgres" });
    expect(new Set([first, second, otherState]).size).toBe(3);
  });

  it("keeps odd checkout names to safe characters", () => {
    expect(outsideClusterDirectory({ repositoryRoot: "/root/my checkout;$(x)", dataDirectory: "/d", base: "/base" })).toMatch(/^\/base\/my-checkout-x-[0-9a-f]{10}$/);
    expect(outsideClusterDirectory({ repositoryRoot: "/root/..", dataDirectory: "/d", base: "/base" })).toMatch(/^\/base\/switchboard-[0-9a-f]{10}$/);
  });
});
