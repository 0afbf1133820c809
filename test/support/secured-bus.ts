import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";
import {
  connectNats,
  createBusIdentityKeys,
  createBusPermissions,
  inboxPrefixFor,
  renderNatsServerConfig,
  type BusIdentity,
  type BusIdentityKey,
} from "@switchboard/messaging";
import { createPrivateNatsServer, type PrivateNatsServer } from "./private-nats-server.js";

/**
 * A private nats-server started with the configuration Switchboard generates for one namespace: every
 * bus identity is an nkey user with its permissions, and clients without an identity are refused.
 */
export interface SecuredBus {
  readonly url: string;
  readonly server: PrivateNatsServer;
  readonly keys: Readonly<Record<BusIdentity, BusIdentityKey>>;
  /** The generated configuration file. */
  readonly configFile: string;
  /** Connects as `identity`, with its seed and inbox prefix, the way its service does. */
  connectAs(identity: BusIdentity, name?: string, options?: ConnectAsOptions): Promise<NatsConnection>;
  /**
   * Every line of the server's log (all starts) that reports a permission violation, except those of
   * clients connected with `expectRefusals`: a test checks the refusals it provokes itself.
   */
  permissionViolations(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface ConnectAsOptions {
  /**
   * The client tries forbidden operations on purpose (e.g. that the server refuses a request no identity
   * may send): its refusals are left out of `permissionViolations()`, so that they do not pass for a
   * permission a service lacks.
   */
  expectRefusals?: boolean;
}

/** Appended to the name of a client connected with `expectRefusals`; the server logs the name with each violation. */
const refusalsExpectedMarker = "(refusals expected)";

export async function startSecuredBus(subjects: Subjects): Promise<SecuredBus> {
  const directory = await mkdtemp(path.join(tmpdir(), "switchboard-secured-bus-"));
  const keys = createBusIdentityKeys();
  const publicKeys = Object.fromEntries(Object.entries(keys).map(([identity, key]) => [identity, key.publicKey])) as Record<BusIdentity, string>;
  const configFile = path.join(directory, "nats-server.conf");
  await writeFile(configFile, renderNatsServerConfig({ permissions: createBusPermissions(subjects), publicKeys }));
  const server = await createPrivateNatsServer({ directory, configFile });
  await server.start();
  const logDirectory = path.join(directory, "logs");
  return {
    url: server.url,
    server,
    keys,
    configFile,
    connectAs: (identity, name = identity, options = {}) =>
      connectNats({
        servers: server.url,
        name: options.expectRefusals ? `${name} ${refusalsExpectedMarker}` : name,
        identity,
        credentials: { nkeySeed: keys[identity].seed },
        inboxPrefix: inboxPrefixFor(subjects.namespace, identity),
      }),
    async permissionViolations() {
      const files = await readdir(logDirectory);
      const texts = await Promise.all(files.map((file) => readFile(path.join(logDirectory, file), "utf8")));
      // A violation line names the client: `… - "v3.4.0:nats.js:<name>" - Publish Violation - …`.
      return texts
        .flatMap((text) => text.split("\n"))
        .filter((line) => /(Permissions|Publish|Subscription) Violation/.test(line) && !line.includes(`${refusalsExpectedMarker}"`));
    },
    async stop() {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
