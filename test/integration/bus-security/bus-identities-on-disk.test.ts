import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { allBusIdentities, busIdentities, connectNats, natsConnectionSettings, writeBusIdentities } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrivateNatsServer, type PrivateNatsServer } from "../../support/private-nats-server.js";
import { createTestCertificates, type TestCertificates } from "../../support/test-certificates.js";

/**
 * Issue 8: identities written to a directory (as `npm start` and deploy/nats will), a nats-server started
 * with the written configuration and TLS, and a service connecting with its settings: a seed file and the CA.
 */
describe("bus identities on disk, with TLS", () => {
  const namespace = "sb";
  let directory: string;
  let certificates: TestCertificates;
  let server: PrivateNatsServer;
  let written: Awaited<ReturnType<typeof writeBusIdentities>>;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-identities-"));
    certificates = createTestCertificates(directory);
    written = await writeBusIdentities({
      directory: path.join(directory, "nats"),
      namespace,
      tls: { certFile: certificates.certFile, keyFile: certificates.keyFile },
    });
    server = await createPrivateNatsServer({ directory, configFile: written.configFile });
    await server.start();
  });

  afterAll(async () => {
    await server?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it("writes one seed file per identity, readable by its owner only, and keeps them when run again", async () => {
    for (const identity of allBusIdentities) expect((await stat(written.seedFiles[identity])).mode & 0o777).toBe(0o600);
    const before = await readFile(written.seedFiles.ingress, "utf8");
    const again = await writeBusIdentities({ directory: path.join(directory, "nats"), namespace, tls: { certFile: certificates.certFile, keyFile: certificates.keyFile } });
    expect(await readFile(again.seedFiles.ingress, "utf8")).toBe(before);
    const config = await readFile(again.configFile, "utf8");
    expect(config).not.toContain(before.trim());
    expect(config).toContain("tls {");
  });

  it("connects a service over TLS with its seed file and the CA", async () => {
    const settings = natsConnectionSettings(
      { NATS_URL: server.url, SWITCHBOARD_NATS_NAMESPACE: namespace, NATS_NKEY_SEED_FILE: written.seedFiles.billing, NATS_TLS_CA_FILE: certificates.caFile },
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
    const settings = natsConnectionSettings({ NATS_URL: server.url, SWITCHBOARD_NATS_NAMESPACE: namespace, NATS_NKEY_SEED_FILE: written.seedFiles.billing }, busIdentities.billing);
    await expect(connectNats({ ...settings, name: "billing-without-ca", reconnect: false, timeoutMs: 2_000 })).rejects.toThrow(/NATS_TLS_CA_FILE/);
  });
});
