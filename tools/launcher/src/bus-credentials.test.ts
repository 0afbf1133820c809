import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { allBusIdentities, connectNats, inboxPrefixFor, publicKeyOfSeed } from "@switchboard/messaging";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { busConfigFileName, ensureBusCredentials, seedFileName } from "./bus-credentials.js";
import type { ManagedProcess } from "./managed-process.js";
import { findNatsServer, startNatsServer } from "./start-nats-server.js";

const baseConfigFile = fileURLToPath(new URL("../../../deploy/nats/nats-server.conf", import.meta.url));
const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

describe("ensureBusCredentials (issue 8)", () => {
  let parent: string;
  let directory: string;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(tmpdir(), "switchboard-bus-"));
    directory = path.join(parent, "bus");
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it("makes one seed per identity, readable by its owner only, and a configuration with their public keys", async () => {
    const credentials = await ensureBusCredentials({ directory, namespace: "sb" });
    expect(credentials.created).toEqual(allBusIdentities);
    expect(await modeOf(directory)).toBe(0o700);
    const config = await readFile(path.join(directory, busConfigFileName), "utf8");
    expect(config).toBe(credentials.config);
    for (const identity of allBusIdentities) {
      const file = path.join(directory, seedFileName(identity));
      expect(credentials.seedFiles[identity]).toBe(file);
      expect(await modeOf(file)).toBe(0o600);
      const seed = (await readFile(file, "utf8")).trim();
      expect(seed).toMatch(/^SU/);
      expect(config).toContain(`nkey: "${publicKeyOfSeed(seed)}"`);
      expect(config).not.toContain(seed);
    }
    expect(config).toContain('"sb.billing.v1.>"');
  });

  it("reuses the seeds of an earlier run and writes the configuration for the namespace asked", async () => {
    const first = await ensureBusCredentials({ directory, namespace: "sb" });
    const second = await ensureBusCredentials({ directory, namespace: "staging" });
    expect(second.created).toEqual([]);
    expect(second.seeds).toEqual(first.seeds);
    expect(second.config).toContain('"staging.billing.v1.>"');
    expect(second.config).not.toContain('"sb.billing.v1.>"');
  });

  it("makes only the seeds that are missing", async () => {
    const first = await ensureBusCredentials({ directory, namespace: "sb" });
    await rm(first.seedFiles.router);
    const second = await ensureBusCredentials({ directory, namespace: "sb" });
    expect(second.created).toEqual(["router"]);
    expect(second.seeds.router).not.toBe(first.seeds.router);
    expect(second.seeds.ingress).toBe(first.seeds.ingress);
  });

  it("never replaces a seed file it cannot use, and says what to do", async () => {
    const first = await ensureBusCredentials({ directory, namespace: "sb" });
    await writeFile(first.seedFiles.billing, "not a seed\n");
    await expect(ensureBusCredentials({ directory, namespace: "sb" })).rejects.toThrow(/billing\.nk does not hold an nkey user seed .*it is not replaced/);
    expect(await readFile(first.seedFiles.billing, "utf8")).toBe("not a seed\n");

    await writeFile(first.seedFiles.billing, `${first.seeds.billing}\n`);
    await chmod(first.seedFiles.billing, 0o644);
    await expect(ensureBusCredentials({ directory, namespace: "sb" })).rejects.toThrow(`is readable by other users (mode 644); run \`chmod 600 ${first.seedFiles.billing}\``);
  });

  it("leaves the mode of a directory the operator made", async () => {
    await chmod(parent, 0o750);
    await ensureBusCredentials({ directory: parent, namespace: "sb" });
    expect(await modeOf(parent)).toBe(0o750);
  });

  it("keeps every setting of deploy/nats/nats-server.conf, the base configuration", async () => {
    const { config } = await ensureBusCredentials({ directory, namespace: "sb" });
    const settings = (await readFile(baseConfigFile, "utf8"))
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(settings.length).toBeGreaterThan(2);
    for (const setting of settings) expect(config).toContain(setting);
  });

  it("writes a configuration nats-server accepts", async () => {
    const binary = findNatsServer(process.env["PATH"]);
    expect(binary, "nats-server is installed").toBeDefined();
    const { configFile } = await ensureBusCredentials({ directory, namespace: "sb" });
    const check = spawnSync(binary as string, ["-c", configFile, "-t"], { encoding: "utf8" });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  it("starts a nats-server that refuses a client without an identity and admits every identity", async () => {
    const credentials = await ensureBusCredentials({ directory, namespace: "sb" });
    let server: ManagedProcess | undefined;
    try {
      const nats = await startNatsServer({
        configFile: credentials.configFile,
        storeDirectory: path.join(parent, "store"),
        runDirectory: path.join(parent, "run"),
        logFile: path.join(parent, "nats-server.log"),
        cwd: parent,
        searchPath: process.env["PATH"],
        onSpawned: (started) => (server = started),
      });
      await expect(connect({ servers: nats.url, maxReconnectAttempts: 0, timeout: 3_000 })).rejects.toThrow(/authorization violation/i);
      for (const identity of allBusIdentities) {
        const connection = await connectNats({
          servers: nats.url,
          name: `bus-credentials-test-${identity}`,
          identity,
          credentials: { nkeySeedFile: credentials.seedFiles[identity] },
          inboxPrefix: inboxPrefixFor("sb", identity),
          reconnect: false,
        });
        await connection.close();
      }
    } finally {
      await server?.stop(5_000);
    }
  });
});
