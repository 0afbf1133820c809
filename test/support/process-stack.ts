import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort } from "../../tools/launcher/src/free-port.js";
import { describeExit, startManagedProcess, type ManagedProcess, type ProcessExit } from "../../tools/launcher/src/managed-process.js";
import {
  buildServiceEnvironment,
  operationsServiceNames,
  serviceEntryPoint,
  serviceNames,
  type OperationsServiceName,
  type ServiceName,
} from "../../tools/launcher/src/service-environment.js";
import { serviceNodeArguments } from "../../tools/launcher/src/service-node-arguments.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream/fake-upstream.js";
import { waitUntilReady } from "./wait-until-ready.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The one model of the process stack, USD per token: one micro-dollar per prompt token, so every answer costs something. */
export const processStackModel = "test/echo";

function catalog(upstreamUrl: string): string {
  return `
providers:
  - { id: fake, name: Fake Labs, api: openai, base_url: "${upstreamUrl}", data_policy: { training: false, retains_prompts: false, zdr: true } }
models:
  - id: ${processStackModel}
    name: "Test: Echo"
    context_length: 8192
    endpoints:
      - { provider: fake, upstream_model: echo, pricing: { prompt: "0.000001", completion: "0.000002" }, max_completion_tokens: 1000, supported_parameters: [temperature, max_tokens] }
`;
}

/** The line each service logs once it serves: "<service> started", ingress's "Server listening at …". */
const startedLine = /"msg":"(?:[^"]* started|Server listening at [^"]*)"/;

export interface ProcessStackOptions {
  natsUrl: string;
  databaseUrl: string;
  /** Catalog and one log file per service go here. */
  directory: string;
  /** Extra environment for every service, e.g. a shorter timeout. */
  environment?: Record<string, string>;
  /** Each service's nkey seed file, for a locked-down nats-server (`createLockedDownNatsServer` for `processStackNamespace`). */
  busSeedFiles?: Readonly<Record<ServiceName, string>>;
  /** Give router, connector, billing and metadata-logging an operations listener each (`operationsUrls`). */
  operationsListeners?: boolean;
}

/** The subject namespace of the process stack: a locked-down server's permissions are written for it. */
export const processStackNamespace = "outage";

/**
 * The five services as separate processes from their compiled entry points (as `npm start` runs them),
 * wired to the NATS and PostgreSQL the caller chose, with a fake provider in this process.
 */
export interface ProcessStack {
  /** `http://127.0.0.1:<port>`, without `/api/v1`. */
  readonly origin: string;
  readonly adminKey: string;
  readonly upstream: FakeUpstream;
  readonly services: readonly ManagedProcess[];
  /** `http://127.0.0.1:<port>` of each service's operations listener, with `operationsListeners`. */
  readonly operationsUrls: Readonly<Partial<Record<OperationsServiceName, string>>>;
  /** Services whose process has ended, with how. */
  exitedServices(): Promise<string[]>;
  /** Creates an account with `amountUsd` of credit and an API key for it, through the admin API. */
  createFundedKey(amountUsd: string): Promise<{ accountId: string; key: string }>;
  /**
   * Starts `name` again after it ended (a crash the test caused): a new process with the same
   * environment, in the place of the old one in `services`; resolves once ingress is ready again.
   */
  restart(name: ServiceName): Promise<ManagedProcess>;
  /** SIGTERM to ingress, then to the others (as the launcher does); the exit of each. */
  stop(): Promise<Map<ServiceName, ProcessExit>>;
  /** Last resort for a failed test: SIGKILL to every service still running, and the fake provider closed. */
  kill(): Promise<void>;
}

export async function startProcessStack(options: ProcessStackOptions): Promise<ProcessStack> {
  const missing = serviceNames.map(serviceEntryPoint).filter((entry) => !existsSync(path.join(repositoryRoot, entry)));
  if (missing.length > 0) throw new Error(`Not built: ${missing.join(", ")}. Run \`npx tsc -b tsconfig.build.json\` first.`);
  const logDirectory = path.join(options.directory, "logs");
  await mkdir(logDirectory, { recursive: true });
  const upstream = await startFakeUpstream();
  const catalogPath = path.join(options.directory, "catalog.yaml");
  await writeFile(catalogPath, catalog(upstream.url));
  const port = await findFreePort();
  const operationsPorts: Partial<Record<OperationsServiceName, number>> = {};
  if (options.operationsListeners) for (const name of operationsServiceNames) operationsPorts[name] = await findFreePort();
  const adminKey = "outage-test-admin-key-0123456789";
  const settings = {
    natsUrl: options.natsUrl,
    namespace: processStackNamespace,
    logLevel: "info",
    databaseUrl: options.databaseUrl,
    ingressPort: port,
    ingressHost: "127.0.0.1",
    adminKey,
    catalogPath,
    demoUpstreamUrl: undefined,
    busSeedFiles: options.busSeedFiles,
    operationsPorts,
  };
  const services: ManagedProcess[] = [];
  const byName = (name: ServiceName) => services.find((service) => service.name === name);

  const kill = async () => {
    await Promise.all(services.map((service) => service.stop(0, "SIGKILL")));
    await upstream.close().catch(() => undefined);
  };

  const startService = (name: ServiceName, onLine?: (line: string) => void) =>
    startManagedProcess({
      name,
      command: process.execPath,
      args: serviceNodeArguments(name),
      cwd: repositoryRoot,
      environment: buildServiceEnvironment(name, { ...process.env, ...options.environment }, settings),
      logFile: path.join(logDirectory, `${name}.log`),
      onLine,
    });

  try {
    for (const name of serviceNames) services.push(await startService(name));
    await waitUntilReady(`http://127.0.0.1:${port}`, services);
  } catch (error) {
    await kill();
    throw error;
  }

  const origin = `http://127.0.0.1:${port}`;
  const admin = async (method: string, route: string, body: unknown) => {
    const response = await fetch(`${origin}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };

  return {
    origin,
    adminKey,
    upstream,
    services,
    operationsUrls: Object.fromEntries(Object.entries(operationsPorts).map(([name, operationsPort]) => [name, `http://127.0.0.1:${operationsPort}`])),
    async exitedServices() {
      const exited: string[] = [];
      for (const service of services) {
        if (service.hasExited()) exited.push(`${service.name} (${describeExit(await service.exited)}; see ${service.logFile})`);
      }
      return exited;
    },
    async createFundedKey(amountUsd) {
      const account = (await admin("POST", "/admin/accounts", { name: "outage test" })) as { data: { id: string } };
      await admin("POST", `/admin/accounts/${account.data.id}/credits`, { amount_usd: amountUsd });
      const created = (await admin("POST", "/keys", { account_id: account.data.id, name: "outage test key" })) as { key: string };
      return { accountId: account.data.id, key: created.key };
    },
    async restart(name) {
      const index = services.findIndex((service) => service.name === name);
      const previous = services[index];
      if (previous === undefined) throw new Error(`no ${name} process`);
      if (!previous.hasExited()) throw new Error(`${name} is still running`);
      // Ingress's readiness does not tell whether the connector (say) serves again: its start-up line does.
      let announceStarted: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (announceStarted = resolve));
      const restarted = await startService(name, (line) => {
        if (startedLine.test(line)) announceStarted();
      });
      services[index] = restarted;
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        started.then(() => "started"),
        restarted.exited.then((exit) => `exited (${describeExit(exit)}): ${restarted.recentLines().join("\n")}`),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve("did not log its start within 30 s"), 30_000))),
      ]);
      clearTimeout(timer);
      if (outcome !== "started") throw new Error(`${name} ${outcome}; see ${restarted.logFile}`);
      await waitUntilReady(origin, services);
      return restarted;
    },
    async stop() {
      const exits = new Map<ServiceName, ProcessExit>();
      // Ingress first, so nothing new arrives while the others finish what is in flight.
      const ingress = byName("ingress");
      if (ingress) exits.set("ingress", await ingress.stop(15_000));
      const others = services.filter((service) => service.name !== "ingress");
      const results = await Promise.all(others.map((service) => service.stop(15_000)));
      others.forEach((service, index) => exits.set(service.name as ServiceName, results[index] as ProcessExit));
      await upstream.close();
      return exits;
    },
    kill,
  };
}
