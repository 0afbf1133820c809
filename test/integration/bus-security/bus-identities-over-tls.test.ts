import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSubjects } from "@switchboard/contracts";
import { allBusIdentities, busIdentities, connectNats, createBusIdentityKeys, createBusPermissions, natsConnectionSettings, renderNatsServerConfig, type BusIdentity } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrivateNatsServer, type PrivateNatsServer } from "../../support/private-nats-server.js";
import { createTestCertificates, type TestCertificates } from "../../support/test-certificates.js";

/**
 * Issue 8: a nats-server whose generated configuration also requires TLS, and a service connecting with
 * its settings as deployed: a seed file (mode 0600) and the CA.
 */
describe("bus identities over TLS", () => {
  const namespace = "sb";
  const keys = createBusIdentityKeys();
  let directory: string;
  let certificates: TestCertificates;
  let server: PrivateNatsServer;
  let seedFile: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-tls-"));
    certificates = createTestCertificates(directory);
    const publicKeys = Object.fromEntries(allBusIdentities.map((identity) => [identity, keys[identity].publicKey])) as Record<BusIdentity, string>;
    const configFile = path.join(directory, "nats-server.conf");
    const tls = { certFile: certificates.certFile, keyFile: certificates.keyFile };
    await writeFile(configFile, renderNatsServerConfig({ permissions: createBusPermissions(createSubjects(namespace)), publicKeys, tls }));
    seedFile = path.join(directory, "billing.nk");
    await writeFile(seedFile, `${keys.billing.seed}\n`, { mode: 0o600 });
    server = await createPrivateNatsServer({ directory, configFile });
    await server.start();
  });

  afterAll(async () => {
    await server?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it("connects a service over TLS with its seed file and the CA", async () => {
    const settings = natsConnectionSettings(
      { NATS_URL: server.url, SWITCHBOARD_NATS_NAMESPACE: namespace, NATS_NKEY_SEED_FILE: seedFile, NATS_TLS_CA_FILE: certificates.caFile },
      busIdentities.billing,
    );
    const connection = await connectNats({ ...settings, name: "billing-over-tls" });
    try {
      await connection.flush();
      expect(connection.isClosed()).toBe(false);
    } finally {
      await connection.close();
    }
  });

  it("fails without the CA, pointing at the TLS settings", async () => {
    const settings = natsConnectionSettings({ NATS_URL: server.url, SWITCHBOARD_NATS_NAMESPACE: namespace, NATS_NKEY_SEED_FILE: seedFile }, busIdentities.billing);
    await expect(connectNats({ ...settings, name: "billing-without-ca", reconnect: false, timeoutMs: 2_000 })).rejects.toThrow(/over TLS .*NATS_TLS_CA_FILE/);
  });
});
