import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { findExecutable } from "./find-executable.js";
import { describeExit, startManagedProcess, type ManagedProcess } from "./managed-process.js";
import { natsPortsFileName, parseNatsPortsFile } from "./nats-ports-file.js";
import { NatsServerMissingError } from "./nats-server-missing.js";

export interface StartNatsServerOptions {
  /** The configuration with the bus identities (`ensureBusCredentials`); it also sets max_payload and JetStream limits. */
  configFile: string;
  /** JetStream store (`-sd`); streams and consumers survive restarts. */
  storeDirectory: string;
  /** Where nats-server writes its ports file. */
  runDirectory: string;
  logFile: string;
  cwd: string;
  searchPath: string | undefined;
  onLine?: (line: string) => void;
  /** Called as soon as the process exists, so a shutdown during start-up stops it too. */
  onSpawned: (process: ManagedProcess) => void;
  timeoutMs?: number;
}

export interface RunningNatsServer {
  url: string;
  process: ManagedProcess;
}

export function findNatsServer(searchPath: string | undefined): string | undefined {
  return findExecutable("nats-server", { searchPath, extraDirectories: ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/opt/homebrew/bin"] });
}

/**
 * Starts nats-server with JetStream on a free loopback port (`-p -1`) and learns the port from the ports
 * file it writes once it listens.
 */
export async function startNatsServer(options: StartNatsServerOptions): Promise<RunningNatsServer> {
  const binary = findNatsServer(options.searchPath);
  if (binary === undefined) throw new NatsServerMissingError(process.platform);
  // nats-server does not create the ports directory; it only logs an error.
  await mkdir(options.runDirectory, { recursive: true });
  await mkdir(options.storeDirectory, { recursive: true });
  await removeLeftoverPortsFiles(options.runDirectory);

  const server = await startManagedProcess({
    name: "nats-server",
    command: binary,
    // The config file sets the users and max_payload (large request bodies); the flags override its listen address and store.
    args: ["-c", options.configFile, "-a", "127.0.0.1", "-p", "-1", "-js", "-sd", options.storeDirectory, "--ports_file_dir", options.runDirectory],
    cwd: options.cwd,
    environment: process.env,
    logFile: options.logFile,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  options.onSpawned(server);

  const portsFile = path.join(options.runDirectory, natsPortsFileName(server.pid));
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (server.hasExited()) {
      const exit = await server.exited;
      throw new Error(`nats-server stopped during start-up (${describeExit(exit)}):\n${server.recentLines().join("\n")}`);
    }
    const text = await readFile(portsFile, "utf8").catch(() => undefined);
    if (text !== undefined && text.trim() !== "") return { url: parseNatsPortsFile(text), process: server };
    await sleep(20);
  }
  throw new Error(`nats-server did not write ${portsFile} in time; see ${options.logFile}`);
}

/** Ports files of servers that were killed; a clean exit removes its own. */
async function removeLeftoverPortsFiles(runDirectory: string): Promise<void> {
  const names = await readdir(runDirectory).catch(() => []);
  await Promise.all(
    names.filter((name) => /^nats-server_\d+\.ports$/.test(name)).map((name) => rm(path.join(runDirectory, name), { force: true })),
  );
}
