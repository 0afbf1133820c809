import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, migrateToLatest } from "@switchboard/db";
import { ensureBusCredentials, type BusCredentials } from "./bus-credentials.js";
import { databaseIdentity, ensureDemoAccount } from "./demo-account.js";
import { demoUpstreamEntryPoint, startDemoUpstream } from "./demo-upstream.js";
import { readEnvironmentFile } from "./environment-file.js";
import { demoModel, formatReadySummary, samplePrompt, type BusSummary } from "./format-summary.js";
import { assertPortAvailable } from "./free-port.js";
import { LaunchRecorder } from "./launch-record.js";
import { ingressOrigin, logModes, resolveLauncherSettings, type LauncherSettings } from "./launcher-settings.js";
import { formatConsoleLine } from "./log-lines.js";
import { startManagedProcess, type ManagedProcess } from "./managed-process.js";
import { watchParentProcess } from "./parent-watch.js";
import { createProgressConsole } from "./progress-console.js";
import { buildServiceEnvironment, consecutiveOperationsPorts, serviceEntryPoint, serviceNames, type ServiceName } from "./service-environment.js";
import { serviceNodeArguments } from "./service-node-arguments.js";
import { retryWhileStarting } from "./retry-while-starting.js";
import { startEmbeddedPostgres } from "./start-embedded-postgres.js";
import { startNatsServer } from "./start-nats-server.js";
import { createSupervisor } from "./supervisor.js";
import { createSwitchboardApi } from "./switchboard-api.js";
import { waitForReady } from "./wait-for-ready.js";

// `npm start`: PostgreSQL, NATS, the demo upstream and the five services on one machine, then a demo
// account and a curl that works. Wiring only; every concept lives in its own module.

const launcherEntryPoint = "tools/launcher/dist/main.js";
const repositoryRoot = path.resolve(fileURLToPath(new URL("../../../", import.meta.url)));
const nameWidth = Math.max(...serviceNames.map((name) => name.length), "demo-upstream".length);

// A closed terminal or pipe must not crash the launcher halfway through stopping things.
process.stdout.on("error", () => undefined);
const output = createProgressConsole({ write: (text) => void process.stdout.write(text), now: () => performance.now() });
const supervisor = createSupervisor(output);

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

function missingBuildOutputs(settings: LauncherSettings): string[] {
  const entries = [...serviceNames.map(serviceEntryPoint), ...(settings.customCatalog ? [] : [demoUpstreamEntryPoint])];
  return entries.filter((entry) => !existsSync(path.join(repositoryRoot, entry)));
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const fromFile = await readEnvironmentFile(path.join(repositoryRoot, ".env"), process.env);
  const environment = fromFile?.environment ?? { ...process.env };
  const settings = resolveLauncherSettings(environment, { repositoryRoot, invocationDirectory: environment["INIT_CWD"] ?? process.cwd() });
  if (process.getuid?.() === 0) {
    // As root PostgreSQL runs as the user "postgres", which must read what we create (initdb's password file).
    process.umask(0o022);
  }
  const directories = {
    logs: path.join(settings.stateDirectory, "logs"),
    run: path.join(settings.stateDirectory, "run"),
    postgres: path.join(settings.stateDirectory, "postgres"),
    nats: path.join(settings.stateDirectory, "nats"),
    bus: path.join(settings.stateDirectory, "bus"),
  };
  for (const directory of [settings.stateDirectory, directories.logs, directories.run]) await mkdir(directory, { recursive: true, mode: 0o755 });
  output.line(`Starting Switchboard (data and logs in ${displayPath(settings.stateDirectory)}/)`);
  if (fromFile !== undefined && fromFile.added.length > 0) output.line(`read ${fromFile.added.join(", ")} from .env`);

  const missing = missingBuildOutputs(settings);
  if (missing.length > 0) throw new Error(`Not built yet: ${missing.join(", ")}. Run \`npm run build\` (npm start does it for you).`);

  const recorder = new LaunchRecorder(path.join(directories.run, "launch.json"), { name: "launcher", pid: process.pid, marker: launcherEntryPoint });
  const leftovers = await recorder.claim();
  supervisor.track("launch record", async () => recorder.remove());
  if (leftovers.length > 0) output.line(`stopped what an earlier, killed launch left running: ${leftovers.join(", ")}`);
  // After the clean-up above: a killed launch's ingress would still hold the port.
  await assertPortAvailable(settings.ingressHost, settings.ingressPort);
  watchParentProcess(() => void supervisor.shutdown(0, "the parent process (npm) is gone"));

  const showLine = (name: string) => (line: string) => {
    const text = formatConsoleLine(name, line, { everything: settings.logMode === logModes.console, nameWidth });
    if (text !== undefined) output.line(text);
  };
  const adopt = (child: ManagedProcess, marker: string) => {
    recorder.add({ name: child.name, pid: child.pid, marker });
    supervisor.watchProcess(child, displayPath);
  };
  const logFile = (name: string) => path.join(directories.logs, `${name}.log`);

  let databaseUrl = settings.databaseUrl;
  let embeddedDataDirectory: string | undefined;
  if (databaseUrl === undefined) {
    let stopPostgres: (() => Promise<void>) | undefined;
    supervisor.track("PostgreSQL", async () => stopPostgres?.());
    const postgres = await output.step("starting PostgreSQL", () =>
      startEmbeddedPostgres({
        repositoryRoot,
        dataDirectory: directories.postgres,
        logFile: logFile("postgres"),
        onNote: (note) => output.line(`  (${note})`),
        onCreated: (stop) => (stopPostgres = stop),
      }),
    );
    stopPostgres = () => postgres.stop();
    if (postgres.pid !== undefined) supervisor.watchPid("PostgreSQL", postgres.pid, displayPath(logFile("postgres")));
    databaseUrl = postgres.url;
    embeddedDataDirectory = postgres.dataDirectory;
  } else {
    output.line(`using PostgreSQL at ${databaseIdentity(databaseUrl, undefined)} (DATABASE_URL)`);
  }

  let natsUrl = settings.natsUrl;
  let bus: BusCredentials | undefined;
  if (natsUrl === undefined) {
    // Our own server is locked down (issue 8): one nkey identity per service, made on the first launch
    // and reused after, and a configuration that lets in nobody else.
    const namespace = settings.namespace;
    const credentials = await output.step("preparing the bus identities", () => ensureBusCredentials({ directory: directories.bus, namespace }));
    if (credentials.created.length > 0) output.line(`  (created ${credentials.created.length} nkey identities in ${displayPath(directories.bus)}/)`);
    if (settings.natsCredentialsSet) output.line("  (NATS_* credentials are for a server of your own, with NATS_URL; this nats-server uses the identities above)");
    bus = credentials;
    const nats = await output.step("starting nats-server", () =>
      startNatsServer({
        configFile: credentials.configFile,
        storeDirectory: directories.nats,
        runDirectory: directories.run,
        logFile: logFile("nats-server"),
        cwd: repositoryRoot,
        searchPath: environment["PATH"],
        onLine: showLine("nats-server"),
        onSpawned: (server) => {
          supervisor.track("nats-server", () => server.stop(5_000));
          adopt(server, "nats-server");
        },
      }),
    );
    natsUrl = nats.url;
  } else {
    output.line(`using NATS at ${natsUrl} (NATS_URL)${settings.natsCredentialsSet ? ", with the NATS_* credentials set" : ", without credentials"}`);
  }
  const busSummary: BusSummary =
    bus === undefined ? { kind: "user-server", url: natsUrl, credentialsSet: settings.natsCredentialsSet } : { kind: "own-server", identityDirectory: displayPath(bus.directory) };
  // Each service's identity has the service's name (busIdentities).
  const busSeedFiles = bus === undefined ? undefined : (Object.fromEntries(serviceNames.map((name) => [name, bus.seedFiles[name]])) as Record<ServiceName, string>);

  const connectionString = databaseUrl;
  const applied = await output.step("applying database migrations", async () => {
    const database = createDatabase({ connectionString, applicationName: "switchboard-launcher", maxConnections: 1 });
    try {
      return await migrateToLatest(database);
    } finally {
      await database.destroy();
    }
  });
  if (applied.length > 0) output.line(`  (applied ${applied.join(", ")})`);

  let demoUpstreamUrl: string | undefined;
  if (!settings.customCatalog) {
    const upstream = await output.step("starting the demo upstream", () =>
      startDemoUpstream({
        cwd: repositoryRoot,
        logFile: logFile("demo-upstream"),
        environment,
        onLine: showLine("demo-upstream"),
        onSpawned: (child) => {
          supervisor.track("demo upstream", () => child.stop(3_000));
          adopt(child, demoUpstreamEntryPoint);
        },
      }),
    );
    demoUpstreamUrl = upstream.url;
  } else {
    output.line(`using the catalog ${displayPath(settings.catalogPath)} (SWITCHBOARD_CATALOG); no demo upstream`);
  }

  const services: ManagedProcess[] = [];
  supervisor.track("services", async () => {
    // Ingress first, so nothing new arrives while the others finish what is in flight.
    const ingress = services.filter((service) => service.name === "ingress");
    await Promise.all(ingress.map((service) => service.stop(10_000)));
    await Promise.all(services.filter((service) => service.name !== "ingress").map((service) => service.stop(10_000)));
  });
  const serviceSettings = {
    natsUrl,
    namespace: settings.namespace,
    logLevel: settings.logLevel,
    databaseUrl,
    ingressPort: settings.ingressPort,
    ingressHost: settings.ingressHost,
    adminKey: settings.adminKey,
    catalogPath: settings.catalogPath,
    demoUpstreamUrl,
    busSeedFiles,
    operationsPorts: settings.operationsPortBase === undefined ? undefined : consecutiveOperationsPorts(settings.operationsPortBase),
  };
  const servicesStartedAt = Date.now();
  await output.step("starting services", async () => {
    for (const name of serviceNames) {
      const entry = serviceEntryPoint(name);
      const service = await startManagedProcess({
        name,
        command: process.execPath,
        args: serviceNodeArguments(name),
        cwd: repositoryRoot,
        environment: buildServiceEnvironment(name, environment, serviceSettings),
        logFile: logFile(name),
        onLine: showLine(name),
      });
      services.push(service);
      adopt(service, entry);
    }
  });

  const origin = ingressOrigin(settings);
  const api = createSwitchboardApi({ origin, adminKey: settings.adminKey, servicesStartedAt });
  await output.step("waiting for ingress to be ready", () =>
    waitForReady(api.isReady, {
      timeoutMs: 60_000,
      describeTimeout: () => `GET ${origin}/readyz did not answer 200 within 60 s; see the logs in ${displayPath(directories.logs)}/`,
    }),
  );

  const demoAccountFile = path.join(settings.stateDirectory, "demo.json");
  const account = await output.step("setting up the demo account", () =>
    ensureDemoAccount({ api, file: demoAccountFile, database: databaseIdentity(connectionString, embeddedDataDirectory) }),
  );
  const apiKey = account.record.key;

  let model: string | undefined = demoModel;
  if (settings.customCatalog) {
    model = await api.firstModelId(apiKey);
  } else {
    const answer = await output.step(`sending a test request to ${demoModel}`, () =>
      retryWhileStarting(() => api.completeChat(apiKey, demoModel, samplePrompt), { timeoutMs: 10_000 }),
    );
    output.line(`  (it answered ${JSON.stringify(answer)})`);
  }

  output.line(
    formatReadySummary({
      apiBaseUrl: `${origin}/api/v1`,
      apiKey,
      keyCreated: account.created,
      demoAccountFile: displayPath(demoAccountFile),
      adminKey: settings.adminKey,
      adminKeyGenerated: settings.adminKeyGenerated,
      model,
      logDirectory: displayPath(directories.logs),
      bus: busSummary,
      elapsedMs: performance.now() - startedAt,
    }),
  );
}

main().catch((error: unknown) => {
  if (supervisor.isStopping()) return;
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error && !message.includes(error.cause.message) ? `\n  caused by: ${error.cause.message}` : "";
  supervisor.fail(`error: ${message}${cause}`);
});
