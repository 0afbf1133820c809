import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { databaseIdentity, ensureDemoAccount, parseDemoAccountRecord } from "./demo-account.js";
import type { KeyCheck, SwitchboardApi } from "./switchboard-api.js";

function fakeApi(keyCheck: KeyCheck = "valid", accountFound: boolean | "unknown" = true) {
  const calls: string[] = [];
  const api: SwitchboardApi = {
    isReady: async () => true,
    createAccount: async (name) => (calls.push(`account ${name}`), { id: "acc_1" }),
    grantCredits: async (id, amount) => void calls.push(`credits ${id} ${amount}`),
    createKey: async (id, name) => (calls.push(`key ${id} ${name}`), { key: "sk-sb-v1-new", hash: "hash-1" }),
    accountExists: async (id) => (calls.push(`exists ${id}`), accountFound),
    checkKey: async (key) => (calls.push(`check ${key}`), keyCheck),
    firstModelId: async () => undefined,
    completeChat: async () => "",
  };
  return { api, calls };
}

describe("ensureDemoAccount", () => {
  let file: string;
  beforeEach(async () => {
    file = path.join(await mkdtemp(path.join(tmpdir(), "launcher-")), "demo.json");
  });
  const now = () => new Date("2025-01-02T03:04:05.000Z");

  it("creates the account, credits and key on the first launch and stores them privately", async () => {
    const { api, calls } = fakeApi();
    const result = await ensureDemoAccount({ api, file, database: "embedded:/x", now });
    expect(result.created).toBe(true);
    expect(calls).toEqual(["account demo", "credits acc_1 10.00", "key acc_1 demo key (npm start)"]);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      account_id: "acc_1",
      key: "sk-sb-v1-new",
      key_hash: "hash-1",
      database: "embedded:/x",
      created_at: "2025-01-02T03:04:05.000Z",
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("reuses the stored account on the same database", async () => {
    await writeFile(file, JSON.stringify({ account_id: "acc_0", key: "sk-sb-v1-old", database: "embedded:/x", created_at: "t" }));
    const { api, calls } = fakeApi("unknown");
    const result = await ensureDemoAccount({ api, file, database: "embedded:/x", now });
    expect(result).toEqual({ created: false, record: { account_id: "acc_0", key: "sk-sb-v1-old", database: "embedded:/x", created_at: "t" } });
    expect(calls).toEqual(["exists acc_0", "check sk-sb-v1-old"]);
  });

  it("creates a new account when the database changed, the account is gone or the key is rejected", async () => {
    await writeFile(file, JSON.stringify({ account_id: "acc_0", key: "sk-sb-v1-old", database: "embedded:/x" }));
    const other = fakeApi();
    expect((await ensureDemoAccount({ api: other.api, file, database: "postgres://db/other", now })).created).toBe(true);
    expect(other.calls).not.toContain("check sk-sb-v1-old");

    await writeFile(file, JSON.stringify({ account_id: "acc_0", key: "sk-sb-v1-old", database: "embedded:/x" }));
    const rejected = fakeApi("invalid");
    expect((await ensureDemoAccount({ api: rejected.api, file, database: "embedded:/x", now })).record.key).toBe("sk-sb-v1-new");

    await writeFile(file, JSON.stringify({ account_id: "acc_0", key: "sk-sb-v1-old", database: "embedded:/x" }));
    const vanished = fakeApi("unknown", false);
    expect((await ensureDemoAccount({ api: vanished.api, file, database: "embedded:/x", now })).created).toBe(true);
  });
});

describe("parseDemoAccountRecord", () => {
  it("rejects incomplete or broken files", () => {
    expect(parseDemoAccountRecord("")).toBeUndefined();
    expect(parseDemoAccountRecord("null")).toBeUndefined();
    expect(parseDemoAccountRecord('{"account_id":"a","database":"d"}')).toBeUndefined();
  });
});

describe("databaseIdentity", () => {
  it("names the embedded cluster by its directory and external ones without the password", () => {
    expect(databaseIdentity("postgres://switchboard:switchboard@127.0.0.1:41000/switchboard", "/srv/.switchboard/postgres")).toBe(
      "embedded:/srv/.switchboard/postgres",
    );
    expect(databaseIdentity("postgres://app:secret@db.internal:5432/switchboard", undefined)).toBe("postgres://app@db.internal:5432/switchboard");
  });
});
