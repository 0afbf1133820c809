import path from "node:path";
import { ensureBusCredentials } from "../../tools/launcher/src/bus-credentials.js";
import type { ServiceName } from "../../tools/launcher/src/service-environment.js";
import { createPrivateNatsServer, type PrivateNatsServer } from "./private-nats-server.js";

/** A private nats-server that admits only the bus identities, and the seed file of each service. */
export interface LockedDownNatsServer {
  readonly server: PrivateNatsServer;
  /** For the services as processes: `buildServiceEnvironment` gives each its own (NATS_NKEY_SEED_FILE). */
  readonly seedFiles: Readonly<Record<ServiceName, string>>;
}

/**
 * A nats-server of the test's own, locked down as `npm start` runs it (issue 8): identities and
 * configuration made by the launcher's `ensureBusCredentials` for `namespace` in `<directory>/bus`. Not
 * started yet, so a test can stop and start it again on the same port and store.
 */
export async function createLockedDownNatsServer(options: { directory: string; namespace: string }): Promise<LockedDownNatsServer> {
  const credentials = await ensureBusCredentials({ directory: path.join(options.directory, "bus"), namespace: options.namespace });
  const server = await createPrivateNatsServer({ directory: options.directory, configFile: credentials.configFile });
  return { server, seedFiles: credentials.seedFiles };
}
