import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLockedDownNatsServer } from "../support/locked-down-nats-server.js";
import type { PrivateNatsServer } from "../support/private-nats-server.js";
import { processStackModel, processStackNamespace, startProcessStack, type ProcessStack } from "../support/process-stack.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { waitFor } from "../support/wait-for.js";

// Issue 7 acceptance: "an ingress killed with `kill -9` while holding a slice leaves the account's
// available credit whole again after the lease expiry". The services run as processes, as deployed,
// with leases of 8 s (a generation may run 1 s, so a lease is usable for its first 2 s) and a sweep
// every second.

const leaseTtlSeconds = 8;

describe("an ingress killed while it holds a credit lease", () => {
  let directory = "";
  let nats: PrivateNatsServer | undefined;
  let database: TestDatabase | undefined;
  let stack: ProcessStack | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-lease-kill-"));
    // Locked down as deployed (issue 8): each service connects as its own identity.
    const lockedDown = await createLockedDownNatsServer({ directory, namespace: processStackNamespace });
    nats = lockedDown.server;
    const busSeedFiles = lockedDown.seedFiles;
    await nats.start();
    database = await createTestDatabase();
    stack = await startProcessStack({
      natsUrl: nats.url,
      databaseUrl: database.connectionString,
      directory,
      busSeedFiles,
      environment: { CREDIT_LEASE_TTL_SECONDS: String(leaseTtlSeconds), GENERATION_MAX_DURATION_MS: "1000", SWEEP_INTERVAL_SECONDS: "1" },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.kill();
    await nats?.stop();
    await database?.drop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("holds its slice until the lease expires, then the account's available credit is whole again", async () => {
    if (!stack || !database) throw new Error("stack not started");
    const funded = await stack.createFundedKey("10.00");
    const accounts = database.database;
    const accountOf = () => accounts.selectFrom("accounts").selectAll().where("id", "=", funded.accountId).executeTakeFirstOrThrow();
    const complete = async () => {
      const response = await fetch(`${stack?.origin}/api/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${funded.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: processStackModel, messages: [{ role: "user", content: "hello" }] }),
      });
      await response.arrayBuffer();
      return response.status;
    };
    // The first request reserves through billing and makes ingress ask for a lease.
    expect(await complete()).toBe(200);
    const leased = await waitFor(async () => {
      const account = await accountOf();
      return account.leased_micros > 0 ? account : undefined;
    }, 10_000, "a lease held by ingress");
    const leasedAt = Date.now();
    // The first generation's completion fact leaves ingress after its answer: let billing settle it
    // before the kill, so that what the test then watches is the lease alone (a fact lost with the
    // process is another test's subject).
    await waitFor(async () => ((await accountOf()).reserved_micros === 0 ? true : undefined), 10_000, "the first generation settled");

    const ingress = stack.services.find((service) => service.name === "ingress");
    if (!ingress) throw new Error("no ingress process");
    ingress.kill("SIGKILL");
    await ingress.exited;

    // Nobody returns the slice: it stays held…
    const meanwhile = await accountOf();
    expect(meanwhile.leased_micros).toBe(leased.leased_micros);
    // …until the lease expires and the sweep gives it back.
    const whole = await waitFor(async () => {
      const account = await accountOf();
      return account.leased_micros === 0 && account.reserved_micros === 0 ? account : undefined;
    }, (leaseTtlSeconds + 10) * 1_000, "the expired lease given back");
    expect(Date.now() - leasedAt).toBeGreaterThanOrEqual((leaseTtlSeconds - 2) * 1_000);
    const charges = await accounts
      .selectFrom("ledger_entries")
      .select((expression) => expression.fn.coalesce(expression.fn.sum<number>("amount_micros"), expression.lit(0)).as("total"))
      .where("account_id", "=", funded.accountId)
      .executeTakeFirstOrThrow();
    // Available = balance − reserved − leased = the balance, and the balance = Σ ledger (the grant less the one charge).
    expect(whole.balance_micros).toBe(Number(charges.total));
    expect(whole.balance_micros).toBeGreaterThan(10_000_000 - 10_000);
    const lease = await accounts.selectFrom("credit_leases").select("status").where("account_id", "=", funded.accountId).execute();
    expect(lease.map((row) => row.status)).toContain("expired");
  }, 60_000);
});
