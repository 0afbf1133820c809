import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { accountSchema, createSubjects, SwitchboardError } from "@switchboard/contracts";
import { createDatabase } from "@switchboard/db";
import { requestReply } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBilling, type BillingService } from "../../../services/billing/src/start-billing.js";
import { testLogger } from "../../support/silent-logger.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";

/**
 * Billing whose PostgreSQL is unreachable (nothing listens on the discard port): its answers say
 * "outage, retry" as a 503 at once, not a 500 "Internal error" that looks like a bug.
 */
describe("billing with its database down", () => {
  const subjects = createSubjects(uniqueNamespace("bildown"));
  const database = createDatabase({ connectionString: "postgres://postgres@127.0.0.1:9/unreachable", applicationName: "outage-test" });
  let connection: NatsConnection;
  let billing: BillingService;

  beforeAll(async () => {
    connection = await connectTestNats("billing-database-outage");
    billing = await startBilling({ connection, database, subjects, logger: testLogger("billing"), reservationTtlSeconds: 900, sweepIntervalSeconds: 3_600 });
  });

  afterAll(async () => {
    await billing?.stop();
    await (await jetstreamManager(connection)).streams.delete(subjects.factsStream).catch(() => undefined);
    await (await jetstreamManager(connection)).streams.delete(subjects.deadLetterStream).catch(() => undefined);
    await connection?.drain();
    await database.destroy();
  });

  it("answers a retryable 503 naming the database, within milliseconds", async () => {
    const startedAt = performance.now();
    const failure = await requestReply(connection, subjects.billingGetAccount, { accountId: "00000000-0000-0000-0000-000000000000" }, accountSchema, {
      timeoutMs: 5_000,
    }).catch((error: unknown) => error);
    const elapsedMs = performance.now() - startedAt;
    expect(failure).toBeInstanceOf(SwitchboardError);
    expect((failure as SwitchboardError).error).toMatchObject({
      code: "service_unavailable",
      status: 503,
      retryable: true,
      message: expect.stringMatching(/billing service cannot reach its database/),
    });
    expect(elapsedMs).toBeLessThan(1_000);
  });
});
