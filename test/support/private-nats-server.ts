import { mkdir } from "node:fs/promises";
import { connect as connectTcp } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describeExit, startManagedProcess, type ManagedProcess, type ProcessExit } from "../../tools/launcher/src/managed-process.js";
import { findNatsServer } from "../../tools/launcher/src/start-nats-server.js";
import { findRestartablePort } from "./restartable-port.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface PrivateNatsServerOptions {
  /** Holds the JetStream store and the logs; kept across restarts. */
  directory: string;
  /** The server configuration to use instead of deploy/nats/nats-server.conf, e.g. one with bus identities. */
  configFile?: string;
}

/**
 * A nats-server with JetStream that belongs to one test, on a port chosen once: it can be stopped and
 * started again on the same port and store, so clients that reconnect to the same URL find it again
 * (the launcher's own starter uses `-p -1`, a new port every time, which a reconnecting client never finds).
 */
export interface PrivateNatsServer {
  readonly url: string;
  readonly port: number;
  /**
   * The JetStream store on disk (`-sd`): a test can read what the streams hold there, where no bus
   * identity may read messages.
   */
  readonly storeDirectory: string;
  /** The process while the server runs, to check it from outside. */
  readonly process: ManagedProcess | undefined;
  /** Starts the server and resolves once it accepts clients. */
  start(): Promise<void>;
  /** Stops the server with `signal` (SIGKILL after 5 s) and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit | undefined>;
}

export async function createPrivateNatsServer(options: PrivateNatsServerOptions): Promise<PrivateNatsServer> {
  const binary = findNatsServer(process.env["PATH"]);
  if (binary === undefined) throw new Error("nats-server is not installed (Debian: apt-get install nats-server)");
  const storeDirectory = path.join(options.directory, "nats-store");
  const logDirectory = path.join(options.directory, "logs");
  await mkdir(storeDirectory, { recursive: true });
  await mkdir(logDirectory, { recursive: true });
  const port = await findRestartablePort();
  let running: ManagedProcess | undefined;
  let starts = 0;

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDirectory,
    get process() {
      return running;
    },
    async start() {
      if (running && !running.hasExited()) return;
      starts += 1;
      const server = await startManagedProcess({
        name: "nats-server",
        command: binary,
        // The repository's settings (max_payload) as the launcher uses them; the flags pin address, port and store.
        args: ["-c", options.configFile ?? path.join(repositoryRoot, "deploy/nats/nats-server.conf"), "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDirectory],
        cwd: repositoryRoot,
        environment: process.env,
        // One file per start, so the log of the run before an outage is not replaced.
        logFile: path.join(logDirectory, `nats-server-${starts}.log`),
      });
      running = server;
      await waitUntilAcceptingClients(server, port);
    },
    async stop(signal = "SIGTERM") {
      const server = running;
      running = undefined;
      return server?.stop(5_000, signal);
    },
  };
}

/** A client is welcome once the server greets a TCP connection with its INFO line. */
async function waitUntilAcceptingClients(server: ManagedProcess, port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (server.hasExited()) {
      const exit = await server.exited;
      throw new Error(`nats-server stopped during start-up (${describeExit(exit)}):\n${server.recentLines().join("\n")}`);
    }
    if (await greets(port)) return;
    await sleep(20);
  }
  throw new Error(`nats-server did not accept clients on port ${port} within 15 s; see ${server.logFile}`);
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: "127.0.0.1", port });
    const finish = (greeted: boolean) => {
      socket.destroy();
      resolve(greeted);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once("error", () => finish(false));
    socket.once("data", (data: Buffer) => finish(data.toString("utf8").startsWith("INFO")));
  });
}
