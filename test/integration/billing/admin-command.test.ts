import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { accountSchema, createKeyReplySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { findLedgerViolations } from "./billing-test-kit.js";
import { runAdminForTest } from "./run-admin-for-test.js";

const accountReplySchema = z.object({ data: accountSchema });
const builtCommand = fileURLToPath(new URL("../../../services/billing/dist/admin-command.js", import.meta.url));

describe("npm run admin", () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  const admin = (...argv: string[]) => runAdminForTest(testDatabase.database, argv);

  it("creates an account, grants credits, creates a key and shows the account, as JSON", async () => {
    const created = await admin("create-account", "--name", "Acme Corp");
    expect(created).toMatchObject({ exitCode: 0, stderr: "" });
    const account = accountReplySchema.parse(JSON.parse(created.stdout)).data;
    expect(account).toMatchObject({ name: "Acme Corp", balance_micros: 0 });

    const granted = await admin("grant-credits", "--account", account.id, "--amount-usd", "10.50");
    expect(granted.exitCode).toBe(0);
    expect(accountReplySchema.parse(JSON.parse(granted.stdout)).data).toMatchObject({ balance_micros: 10_500_000, balance_usd: "10.5" });

    const key = await admin("create-key", "--account", account.id, "--name", "laptop");
    expect(key.exitCode).toBe(0);
    const createdKey = createKeyReplySchema.parse(JSON.parse(key.stdout));
    expect(createdKey.key).toMatch(/^sk-sb-v2-[0-9a-f]{72}$/);
    expect(createdKey.data).toMatchObject({ name: "laptop", account_id: account.id, management: false });
    const manager = await admin("create-management-key", "--account", account.id, "--name", "manager");
    expect(manager.exitCode).toBe(0);
    expect(createKeyReplySchema.parse(JSON.parse(manager.stdout)).data).toMatchObject({ name: "manager", account_id: account.id, management: true });

    const shown = await admin("show-account", "--account", account.id);
    expect(shown.exitCode).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({ data: { ...account, balance_micros: 10_500_000, balance_usd: "10.5", available_usd: "10.5" } });
    expect(await findLedgerViolations(testDatabase.database)).toEqual([]);
  });

  it("explains what went wrong and what to do, with exit code 1", async () => {
    const cases: Array<{ argv: string[]; message: RegExp }> = [
      { argv: [], message: /No command given[\s\S]*Usage: npm run admin -- <command>/ },
      { argv: ["delete-everything"], message: /Unknown command "delete-everything"\. Run `npm run admin -- help`/ },
      { argv: ["create-account"], message: /Missing --name\.\nUsage: npm run admin -- create-account --name <name>/ },
      { argv: ["create-account", "--name", "x", "--colour", "red"], message: /Unknown option '--colour'[\s\S]*Usage: npm run admin -- create-account/ },
      { argv: ["grant-credits", "--account", "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11", "--amount-usd", "1.0000001"], message: /--amount-usd: .*more than 6 decimal places/ },
      { argv: ["grant-credits", "--account", "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11", "--amount-usd", "ten"], message: /--amount-usd: .*not a non-negative decimal/ },
      { argv: ["grant-credits", "--account", "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11", "--amount-usd", "0"], message: /--amount-usd must be greater than 0/ },
      { argv: ["grant-credits", "--account", "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11", "--amount-usd", "5"], message: /Account "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11" not found\. Check the id, or create the account first\./ },
      { argv: ["show-account", "--account", "nope"], message: /Account "nope" not found/ },
      { argv: ["create-key", "--account", "nope", "--name", "k"], message: /Account "nope" not found/ },
    ];
    for (const { argv, message } of cases) {
      const result = await admin(...argv);
      expect(result.exitCode, argv.join(" ")).toBe(1);
      expect(result.stdout, argv.join(" ")).toBe("");
      expect(result.stderr, argv.join(" ")).toMatch(message);
    }
  });

  it("prints help", async () => {
    const result = await admin("help");
    expect(result.exitCode).toBe(0);
    for (const command of ["create-account --name", "grant-credits --account", "create-key --account", "show-account --account", "help"]) {
      expect(result.stdout).toContain(command);
    }
  });

  it.runIf(existsSync(builtCommand))("runs as a process against DATABASE_URL (after `tsc -b services/billing`)", async () => {
    const run = promisify(execFile);
    const environment = { ...process.env, DATABASE_URL: testDatabase.connectionString };
    const { stdout } = await run(process.execPath, [builtCommand, "create-account", "--name", "Spawned"], { env: environment });
    expect(accountReplySchema.parse(JSON.parse(stdout)).data.name).toBe("Spawned");

    const failure = await run(process.execPath, [builtCommand, "show-account", "--account", "nope"], { env: environment }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringMatching(/Account "nope" not found/) });

    const unreachable = await run(process.execPath, [builtCommand, "show-account", "--account", "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11"], {
      env: { ...process.env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" },
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(unreachable).toMatchObject({ code: 1, stderr: expect.stringMatching(/Could not reach PostgreSQL .*DATABASE_URL/) });
  });
});
