import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { httpErrorBodySchema, listAdminAuditReplySchema, listSettlementAnomaliesReplySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKeyFingerprint } from "../../services/ingress/src/routes/admin-caller.js";
import { busIdentities } from "@switchboard/messaging";
import { publishFact, waitFor } from "../integration/billing/billing-test-kit.js";
import { completedFact } from "../support/completed-fact.js";
import { startStack, type TestStack } from "../support/start-stack.js";

// Issue 8 through the HTTP admin API, on the secured bus: admin changes are audited with the caller
// ingress identified, and a fact billing held nothing for, even one published with the identity allowed
// to publish facts (ingress's), is listed as an anomaly and not charged. The CLI path and the settlement
// rules are covered in test/integration/billing/.
describe("admin records over HTTP", () => {
  let stack: TestStack;
  let forger: NatsConnection;
  beforeAll(async () => {
    stack = await startStack();
    forger = await stack.bus.connectAs(busIdentities.ingress, "forger");
  });
  afterAll(async () => {
    await forger?.close();
    await stack?.stop();
  });

  const send = async (method: string, path: string, options: { body?: unknown; requestId?: string; key?: string } = {}) => {
    const response = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.key ?? stack.adminKey}`,
        ...(options.requestId ? { "x-request-id": options.requestId } : {}),
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  it("audits each change with admin-key:<fingerprint>, the client address and the request id, newest first, never a secret", async () => {
    const run = randomUUID();
    const account = await send("POST", "/admin/accounts", { body: { name: "audited" }, requestId: `${run}-1` });
    expect(account.status).toBe(201);
    const accountId = (JSON.parse(account.text) as { data: { id: string } }).data.id;
    expect((await send("POST", `/admin/accounts/${accountId}/credits`, { body: { amount_usd: "3.25" }, requestId: `${run}-2` })).status).toBe(200);
    const key = await send("POST", "/keys", { body: { account_id: accountId, name: "audited key" }, requestId: `${run}-3` });
    expect(key.status).toBe(201);
    const created = JSON.parse(key.text) as { key: string; data: { hash: string } };
    // Reads are not audited.
    expect((await send("GET", `/admin/accounts/${accountId}`)).status).toBe(200);

    const listing = await send("GET", "/admin/audit?limit=3");
    expect(listing.status).toBe(200);
    const actor = `admin-key:${adminKeyFingerprint(stack.adminKey)}`;
    const common = { actor, account_id: accountId, client_address: expect.stringMatching(/127\.0\.0\.1/) };
    expect(listAdminAuditReplySchema.parse(JSON.parse(listing.text)).data).toMatchObject([
      { ...common, action: "create-key", key_hash: created.data.hash, amount_micros: null, request_id: `${run}-3` },
      { ...common, action: "grant-credits", key_hash: null, amount_micros: 3_250_000, request_id: `${run}-2` },
      { ...common, action: "create-account", key_hash: null, amount_micros: null, request_id: `${run}-1` },
    ]);
    expect(listing.text).not.toContain(stack.adminKey);
    expect(listing.text).not.toContain(created.key);
    const rows = await stack.database.database.selectFrom("admin_audit").selectAll().where("account_id", "=", accountId).execute();
    expect(JSON.stringify(rows)).not.toContain(stack.adminKey);
    expect(JSON.stringify(rows)).not.toContain(created.key);
  });

  it("lists a forged fact (the right shape, ingress's identity, no hold) as an anomaly and charges nothing", async () => {
    const funded = await stack.createFundedKey("1.00");
    const keyRow = await stack.database.database.selectFrom("api_keys").select("id").where("account_id", "=", funded.accountId).executeTakeFirstOrThrow();
    const forged = completedFact({ generationId: `gen-${randomUUID()}`, accountId: funded.accountId, keyId: keyRow.id });
    await publishFact(forger, stack.subjects, forged);

    const listed = async () => {
      const listing = await send("GET", "/admin/anomalies?limit=5");
      expect(listing.status).toBe(200);
      return listSettlementAnomaliesReplySchema.parse(JSON.parse(listing.text)).data.find((anomaly) => anomaly.generation_id === forged.generationId);
    };
    await waitFor(async () => (await listed()) !== undefined);
    expect(await listed()).toMatchObject({ account_id: funded.accountId, key_id: keyRow.id, lease_id: null, reason: "no-hold", claimed_micros: 750 });
    const account = await send("GET", `/admin/accounts/${funded.accountId}`);
    expect(JSON.parse(account.text)).toMatchObject({ data: { balance_micros: 1_000_000 } });
  });

  it("refuses the listings without the admin key (403) and with a limit out of range (400), in OpenRouter's error shape", async () => {
    for (const path of ["/admin/audit", "/admin/anomalies"]) {
      const refused = await send("GET", path, { key: "sk-sb-v1-" + "0".repeat(64) });
      expect(refused.status).toBe(403);
      expect(httpErrorBodySchema.parse(JSON.parse(refused.text)).error.code).toBe(403);
      for (const limit of ["0", "501", "ten"]) {
        const invalid = await send("GET", `${path}?limit=${limit}`);
        expect(invalid.status, `${path}?limit=${limit}`).toBe(400);
        expect(httpErrorBodySchema.parse(JSON.parse(invalid.text)).error.code).toBe(400);
      }
    }
  });
});
