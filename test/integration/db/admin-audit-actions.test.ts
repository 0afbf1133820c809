import { adminActions } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAdminAction } from "../../../services/billing/src/repositories/admin-audit.js";
import { testAdminCaller } from "../../support/test-admin-caller.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";

// admin_audit's CHECK lists the actions the database accepts, and each migration that adds one replaces the
// whole list. Branches built in parallel each replaced it with their own list once, which made billing
// fail on the other branch's action: every action the code can write must pass the migrated constraint.
describe("the admin audit's action constraint", () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  it.each(Object.values(adminActions))("accepts %s", async (action) => {
    await recordAdminAction(testDatabase.database, { action, caller: testAdminCaller, accountId: null });
    const rows = await testDatabase.database.selectFrom("admin_audit").select("action").where("action", "=", action).execute();
    expect(rows).toHaveLength(1);
  });
});
