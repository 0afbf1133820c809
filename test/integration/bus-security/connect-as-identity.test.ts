import { createSubjects } from "@switchboard/contracts";
import { busIdentities, connectNats, natsConnectionSettings } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSecuredBus, type SecuredBus } from "../../support/secured-bus.js";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
import { testNatsUrl, uniqueNamespace } from "../../support/test-nats.js";

/** Issue 8: how a service's settings become its connection, against the shared open server and a secured one. */
describe("connecting as a bus identity", () => {
  const subjects = createSubjects(uniqueNamespace("identity"));
  let bus: SecuredBus;

  beforeAll(async () => {
    bus = await startSecuredBus(subjects);
  });

  afterAll(async () => {
    await bus?.stop();
  });

  it("connects without credentials to an open server and warns that the bus is unauthenticated", async () => {
    const capture: LogCapture = { lines: [] };
    const settings = natsConnectionSettings({ NATS_URL: testNatsUrl, SWITCHBOARD_NATS_NAMESPACE: subjects.namespace }, busIdentities.router);
    const connection = await connectNats({ ...settings, name: "open-router", logger: testLogger("router", capture) });
    await connection.close();
    expect(capture.lines.join("\n")).toContain("the NATS bus is unauthenticated");
  });

  it("connects with a service's settings (seed, namespace) under its own inbox prefix, without the warning", async () => {
    const capture: LogCapture = { lines: [] };
    const settings = natsConnectionSettings(
      { NATS_URL: bus.url, SWITCHBOARD_NATS_NAMESPACE: subjects.namespace, NATS_NKEY_SEED: bus.keys.billing.seed },
      busIdentities.billing,
    );
    const connection = await connectNats({ ...settings, name: "billing", logger: testLogger("billing", capture) });
    try {
      expect(settings.inboxPrefix).toBe(`_INBOX_${subjects.namespace}_billing`);
      // A request's reply inbox is under the prefix, or the server would refuse the subscription.
      await connection.flush();
      expect(capture.lines.join("\n")).not.toContain("unauthenticated");
    } finally {
      await connection.close();
    }
  });

  it("refuses another identity's seed for this service's subjects", async () => {
    // The router's seed in billing's place connects, but cannot serve billing's endpoints.
    const connection = await connectNats({
      ...natsConnectionSettings({ NATS_URL: bus.url, SWITCHBOARD_NATS_NAMESPACE: subjects.namespace, NATS_NKEY_SEED: bus.keys.router.seed }, busIdentities.billing),
      name: "billing-with-router-seed",
    });
    try {
      const refused = new Promise<string>((resolve) => {
        void (async () => {
          for await (const status of connection.status()) if (status.type === "error") resolve(String(status.error));
        })();
      });
      connection.subscribe(subjects.billingGrantCredits, { callback: () => undefined });
      await connection.flush();
      expect(await refused).toMatch(/Permissions Violation for Subscription/);
    } finally {
      await connection.close();
    }
  });
});
