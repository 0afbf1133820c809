import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createDatabase, migrateToLatest } from "@switchboard/db";
import { findFreePort } from "../../tools/launcher/src/free-port.js";
import { startManagedProcess, type ManagedProcess } from "../../tools/launcher/src/managed-process.js";
import { buildServiceEnvironment, operationsServiceNames, serviceEntryPoint, serviceNames, type OperationsServiceName } from "../../tools/launcher/src/service-environment.js";
import { serviceNodeArguments } from "../../tools/launcher/src/service-node-arguments.js";
import { createLockedDownNatsServer } from "../support/locked-down-nats-server.js";
import type { PrivateNatsServer } from "../support/private-nats-server.js";
import { createPrivatePostgres, type PrivatePostgres } from "../support/private-postgres.js";
import { commandOnCpus, moveProcessTreeToCpus } from "./cpu-pinning.js";
import { waitUntilReady } from "../support/wait-until-ready.js";
import type { SpanCounts } from "../fake-collector/span-counting-collector.js";
import type { ScrapeTarget } from "./metrics-scraper.js";
import { telemetryEnvironment, type ExportProtocol } from "./telemetry-environment.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const upstreamEntryPoint = "test/dist/fake-upstream/paced-upstream-main.js";
const collectorEntryPoint = "test/dist/fake-collector/span-counting-collector-main.js";

/** The benchmark's one model; its price makes every answer cost something, so every one is charged. */
export const benchModel = "bench/echo";

/** The stack's subject namespace; its locked-down nats-server's permissions are written for it. */
const benchNamespace = "bench";

function catalog(upstreamUrl: string): string {
  return `
providers:
  - { id: bench, name: Bench Upstream, api: openai, base_url: "${upstreamUrl}", data_policy: { training: false, retains_prompts: false, zdr: true } }
models:
  - id: ${benchModel}
    name: "Bench: Echo"
    context_length: 8192
    endpoints:
      - { provider: bench, upstream_model: echo, pricing: { prompt: "0.000001", completion: "0.000002" }, max_completion_tokens: 4000, supported_parameters: [max_tokens] }
`;
}

/** A process whose CPU and memory the benchmark reports; postgres stands for the postmaster and its children. */
export interface MeasuredProcess {
  readonly name: string;
  readonly pid: number;
}

export interface BenchStackOptions {
  stackCpus: string | undefined;
  loadCpus: string | undefined;
  logLevel: string;
  /** Traces exported to a span-counting collector and an operations port on every service (BENCH_TELEMETRY); undefined = off. */
  telemetry?: boolean | undefined;
}

/** What the stack adds with telemetry on: where the traces go and where each service's /metrics is. */
export interface BenchStackTelemetry {
  /** How the services export their traces. */
  readonly protocol: ExportProtocol;
  /** The span-counting collector, a process on the load CPUs. */
  readonly collectorProcess: MeasuredProcess;
  /** Every service's /metrics: ingress's on its HTTP port, the others' on their operations ports. */
  readonly metricsTargets: readonly ScrapeTarget[];
  /** What the collector has received so far. */
  spanCounts(): Promise<SpanCounts>;
}

/**
 * Switchboard as deployed, for the benchmark: the five services as processes from their compiled entry
 * points, a nats-server and a PostgreSQL cluster of its own, and the paced upstream as a process of its
 * own; everything owned here and stopped by `stop()`.
 */
export interface BenchStack {
  /** `http://127.0.0.1:<port>`, without `/api/v1`. */
  readonly origin: string;
  /** The upstream's API root, e.g. `http://127.0.0.1:41234/v1`. */
  readonly upstreamUrl: string;
  readonly databaseUrl: string;
  /** The seven processes of the stack, in report order. */
  readonly stackProcesses: readonly MeasuredProcess[];
  readonly upstreamProcess: MeasuredProcess;
  /** Set with the `telemetry` option. */
  readonly telemetry: BenchStackTelemetry | undefined;
  /** Creates an account with `amountUsd` of credit and an API key for it, through the admin API. */
  createFundedKey(amountUsd: string): Promise<{ accountId: string; key: string }>;
  /** Service processes that have ended, with their last lines. */
  exitedProcesses(): string[];
  /** Stops every process it started (SIGKILL for any that does not end in time) and removes its files. */
  stop(): Promise<void>;
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const missing = [...serviceNames.map(serviceEntryPoint), upstreamEntryPoint, ...(options.telemetry ? [collectorEntryPoint] : [])].filter((entry) => !existsSync(path.join(repositoryRoot, entry)));
  if (missing.length > 0) throw new Error(`Not built: ${missing.join(", ")}. Run \`npx tsc -b tsconfig.build.json\` first.`);
  // As root, PostgreSQL runs as "postgres", which must enter this directory (mkdtemp makes it 0700).
  const directory = await mkdtemp(path.join(tmpdir(), "switchboard-bench-"));
  await chmod(directory, 0o755);
  const logDirectory = path.join(directory, "logs");
  let nats: PrivateNatsServer | undefined;
  let postgres: PrivatePostgres | undefined;
  let upstream: ManagedProcess | undefined;
  let collector: ManagedProcess | undefined;
  const services: ManagedProcess[] = [];

  // The children run in process groups of their own, so an interrupted runner does not take them down
  // with it: whatever is still running when this process exits without stop() is killed here.
  const killOnExit = () => {
    for (const child of [...services, upstream, collector, nats?.process]) child?.kill("SIGKILL");
    const postmaster = postgres?.pid;
    if (postmaster === undefined) return;
    try {
      // Immediate shutdown: the postmaster ends its backends itself.
      process.kill(postmaster, "SIGQUIT");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    const ingress = services.find((service) => service.name === "ingress");
    await ingress?.stop(10_000);
    await Promise.all(services.map((service) => service.stop(10_000)));
    await upstream?.stop(5_000);
    await collector?.stop(5_000);
    await postgres?.stop().catch(() => undefined);
    await nats?.stop();
    await rm(directory, { recursive: true, force: true });
  };

  try {
    // Locked down as deployed (issue 8): each service connects as its own identity.
    const lockedDown = await createLockedDownNatsServer({ directory, namespace: benchNamespace });
    nats = lockedDown.server;
    await nats.start();
    postgres = await createPrivatePostgres({ directory });
    await postgres.start();
    const migrationDatabase = createDatabase({ connectionString: postgres.url, applicationName: "bench-migrate", maxConnections: 1 });
    try {
      await migrateToLatest(migrationDatabase);
    } finally {
      await migrationDatabase.destroy();
    }
    const natsPid = nats.process?.pid;
    const postmasterPid = postgres.pid;
    if (natsPid === undefined || postmasterPid === undefined) throw new Error("nats-server or PostgreSQL has no process id");
    await moveProcessTreeToCpus(natsPid, options.stackCpus);
    await moveProcessTreeToCpus(postmasterPid, options.stackCpus);

    // The upstream and the collector are processes on the load CPUs that print their URL once listening.
    const startAnnouncing = async (name: string, entryPoint: string, started: (child: ManagedProcess) => void): Promise<string> => {
      let announce: (url: string) => void = () => undefined;
      const announced = new Promise<string>((resolve) => (announce = resolve));
      started(
        await startManagedProcess({
          name,
          ...commandOnCpus(options.loadCpus, process.execPath, [entryPoint]),
          cwd: repositoryRoot,
          environment: { PATH: process.env["PATH"], PORT: "0", HOST: "127.0.0.1" },
          logFile: path.join(logDirectory, `${name}.log`),
          onLine: (line) => {
            if (line.startsWith("{")) announce((JSON.parse(line) as { url: string }).url);
          },
        }),
      );
      return Promise.race([announced, sleep(10_000).then(() => Promise.reject(new Error(`the ${name} did not announce its URL within 10 s`)))]);
    };
    const upstreamUrl = await startAnnouncing("upstream", upstreamEntryPoint, (child) => (upstream = child));
    const collectorUrl = options.telemetry ? await startAnnouncing("collector", collectorEntryPoint, (child) => (collector = child)) : undefined;
    const operationsPorts: Partial<Record<OperationsServiceName, number>> = {};
    if (collectorUrl !== undefined) for (const name of operationsServiceNames) operationsPorts[name] = await findFreePort();
    const exportProtocol: ExportProtocol = "http/protobuf";
    const inherited = collectorUrl === undefined ? process.env : telemetryEnvironment(process.env, { collectorUrl, protocol: exportProtocol });

    const catalogPath = path.join(directory, "catalog.yaml");
    await writeFile(catalogPath, catalog(upstreamUrl));
    const port = await findFreePort();
    const adminKey = "bench-admin-key-0123456789abcdef";
    const settings = {
      natsUrl: nats.url,
      namespace: benchNamespace,
      logLevel: options.logLevel,
      databaseUrl: postgres.url,
      ingressPort: port,
      ingressHost: "127.0.0.1",
      adminKey,
      catalogPath,
      demoUpstreamUrl: undefined,
      busSeedFiles: lockedDown.seedFiles,
      operationsPorts,
    };
    for (const name of serviceNames) {
      services.push(
        await startManagedProcess({
          name,
          ...commandOnCpus(options.stackCpus, process.execPath, serviceNodeArguments(name)),
          cwd: repositoryRoot,
          environment: buildServiceEnvironment(name, inherited, settings),
          logFile: path.join(logDirectory, `${name}.log`),
        }),
      );
    }
    const origin = `http://127.0.0.1:${port}`;
    await waitUntilReady(origin, services);

    const admin = async (route: string, body: unknown) => {
      const response = await fetch(`${origin}/api/v1${route}`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as Record<string, unknown>;
      if (response.status >= 300) throw new Error(`POST ${route} answered ${response.status}: ${JSON.stringify(answer)}`);
      return answer;
    };
    const byName = (name: string): MeasuredProcess => {
      const service = services.find((candidate) => candidate.name === name);
      if (service === undefined) throw new Error(`${name} is not running`);
      return { name, pid: service.pid };
    };
    if (upstream === undefined) throw new Error("the upstream is not running");
    const upstreamProcess = { name: "fake upstream", pid: upstream.pid };
    const telemetry: BenchStackTelemetry | undefined =
      collector === undefined || collectorUrl === undefined
        ? undefined
        : {
            protocol: exportProtocol,
            collectorProcess: { name: "span collector", pid: collector.pid },
            metricsTargets: [
              { name: "ingress", url: `${origin}/metrics` },
              ...operationsServiceNames.map((name) => ({ name, url: `http://127.0.0.1:${String(operationsPorts[name])}/metrics` })),
            ],
            async spanCounts() {
              const response = await fetch(`${collectorUrl}/counts`, { signal: AbortSignal.timeout(5_000) });
              if (response.status !== 200) throw new Error(`the span collector answered ${response.status}`);
              return (await response.json()) as SpanCounts;
            },
          };

    return {
      origin,
      upstreamUrl,
      databaseUrl: postgres.url,
      stackProcesses: [
        byName("ingress"),
        byName("router"),
        byName("provider-connector"),
        byName("billing"),
        byName("metadata-logging"),
        { name: "nats-server", pid: natsPid },
        { name: "postgres", pid: postmasterPid },
      ],
      upstreamProcess,
      telemetry,
      async createFundedKey(amountUsd) {
        const account = (await admin("/admin/accounts", { name: "bench" })) as { data: { id: string } };
        await admin(`/admin/accounts/${account.data.id}/credits`, { amount_usd: amountUsd });
        const created = (await admin("/keys", { account_id: account.data.id, name: "bench key" })) as { key: string };
        return { accountId: account.data.id, key: created.key };
      },
      exitedProcesses() {
        return [...services, upstream, collector]
          .filter((child): child is ManagedProcess => child !== undefined && child.hasExited())
          .map((child) => `${child.name}:\n${child.recentLines().join("\n")}`);
      },
      stop,
    };
  } catch (error) {
    const lastLines = services.map((service) => `${service.name}: ${service.recentLines().slice(-5).join("\n")}`).join("\n");
    await stop().catch(() => undefined);
    throw new Error(`the benchmark stack did not start: ${error instanceof Error ? error.message : String(error)}\n${lastLines}`, { cause: error });
  }
}
