import { setMaxListeners } from "node:events";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { createSubjects, type Subjects } from "@switchboard/contracts";
import { busIdentities, ensureFactsStream, FactPublisher, RoutingSnapshotWatch, type BusIdentity } from "@switchboard/messaging";
import type { FastifyInstance } from "fastify";
import { startBilling } from "../../services/billing/src/start-billing.js";
import { buildApp, type AppDependencies } from "../../services/ingress/src/app.js";
import { createServiceClients } from "../../services/ingress/src/plugins/service-clients.js";
import { LocalRouting } from "../../services/ingress/src/routing/local-routing.js";
import { startMetadataLogging } from "../../services/metadata-logging/src/start-metadata-logging.js";
import { startProviderConnector } from "../../services/provider-connector/src/start-provider-connector.js";
import { startRouter } from "../../services/router/src/start-router.js";
import { defaultHealthPolicy, type HealthPolicy } from "../../services/router/src/health/endpoint-health-tracker.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream/fake-upstream.js";
import { startSecuredBus, type SecuredBus } from "./secured-bus.js";
import { testLogger, type LogCapture } from "./silent-logger.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";
import { uniqueNamespace } from "./test-nats.js";

/** Prices of the test catalog, USD per token. */
export const testPrices = {
  primary: { prompt: "0.000001", completion: "0.000002" },
  backup: { prompt: "0.000003", completion: "0.000004" },
} as const;

/** The catalog the stack starts with; tests that change the catalog edit this text and restart the router. */
export function testCatalog(primaryUrl: string, backupUrl: string): string {
  return `
providers:
  - { id: primary, name: Primary Labs, api: openai, base_url: "${primaryUrl}", api_key_env: PRIMARY_API_KEY, data_policy: { training: false, retains_prompts: false, zdr: true } }
  - { id: backup, name: Backup Cloud, api: openai, base_url: "${backupUrl}", api_key_env: BACKUP_API_KEY, data_policy: { training: true, retains_prompts: true, retention_days: 30, zdr: false } }
  - { id: unset, name: Unset, api: openai, base_url: "http://127.0.0.1:9/v1", api_key_env: NEVER_SET_API_KEY, data_policy: { training: false, retains_prompts: false, zdr: false } }
models:
  - id: test/echo
    name: "Test: Echo"
    context_length: 8192
    endpoints:
      - { provider: primary, upstream_model: echo-primary, pricing: { prompt: "${testPrices.primary.prompt}", completion: "${testPrices.primary.completion}" }, max_completion_tokens: 1000, supported_parameters: [temperature, top_p, max_tokens, stop, tools, tool_choice, parallel_tool_calls, response_format, logprobs, top_logprobs, frequency_penalty, presence_penalty, logit_bias, reasoning, include_reasoning] }
      - { provider: backup, upstream_model: echo-backup, pricing: { prompt: "${testPrices.backup.prompt}", completion: "${testPrices.backup.completion}" }, max_completion_tokens: 1000 }
  - id: test/unconfigured
    name: "Test: Unconfigured"
    context_length: 8192
    endpoints:
      - { provider: unset, upstream_model: nothing, pricing: { prompt: "0.000001", completion: "0.000001" } }
`;
}

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * The whole Switchboard in this process: five services on real NATS and PostgreSQL, two fake providers.
 * The bus is locked down as deployed (issue 8): a nats-server of the stack's own, started with the
 * configuration Switchboard generates, each service connected as its own identity.
 */
export interface TestStack {
  baseUrl: string;
  adminKey: string;
  subjects: Subjects;
  database: TestDatabase;
  primary: FakeUpstream;
  backup: FakeUpstream;
  /** The router's catalog file: rewrite it, then `restartRouter()` to publish the change. */
  catalogPath: string;
  /** Creates an account with `amountUsd` of credit and a key for it. */
  createFundedKey(amountUsd: string): Promise<{ accountId: string; key: string }>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stopRouter(): Promise<void>;
  /** Stops billing (its endpoints and settlement) for the rest of the test; `stop()` then leaves it alone. */
  stopBilling(): Promise<void>;
  /** Stops the router if it runs and starts it again; it reads the catalog file and publishes a new snapshot. */
  restartRouter(): Promise<void>;
  /** Starts one more ingress replica (its own NATS connection and routing watch); returns its base URL. */
  addIngress(): Promise<string>;
  /** Starts one more router replica (its own NATS connection); `stop()` stops it, `restartRouter()` leaves it running. */
  addRouter(): Promise<void>;
  /** The stack's own nats-server with the generated bus configuration; `connectAs` joins it as an identity. */
  bus: SecuredBus;
  stop(): Promise<void>;
}

export interface StackOptions {
  logCapture?: LogCapture;
  /** Ingress settings to override, e.g. a short maximum duration. */
  ingress?: Partial<Pick<AppDependencies, "generationMaximumDurationMs" | "streamCommitMs" | "accessLog" | "keyCacheTtlMs" | "creditLeases" | "defaultRateLimit">>;
  /** How long ingress waits for billing and the other services (default 2 s; deployed, 5 s). */
  serviceRequestTimeoutMs?: number;
  /**
   * Ingress's random source for the default load balancing (issue 9). Defaults to `() => 0`: the cheapest
   * endpoint that is not ejected comes first every time, so tests that expect `primary` to serve are exact;
   * a test of the load balancing itself passes Math.random.
   */
  random?: () => number;
  /** Health settings shortened for a test: the router's policy and figures interval, the connector's report interval. */
  health?: { policy?: Partial<HealthPolicy>; figuresIntervalMs?: number; outcomeReportIntervalMs?: number };
  /**
   * Provider keys beyond PRIMARY_API_KEY and BACKUP_API_KEY, by variable name, for providers a test adds to
   * the catalog whose key has a format of its own (a Bedrock fake's `<access key id>:<secret access key>`).
   */
  providerKeys?: Record<string, string>;
}

/** Every running generation listens on the shutdown signal, as in services/ingress/src/main.ts. */
function unlimitedListeners(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const logger = (service: string) => testLogger(service, options.logCapture);
  const subjects = createSubjects(uniqueNamespace("e2e"));
  const database = await createTestDatabase();
  const primary = await startFakeUpstream();
  const backup = await startFakeUpstream();
  const directory = await mkdtemp(join(tmpdir(), "switchboard-stack-"));
  const catalogPath = join(directory, "catalog.yaml");
  await writeFile(catalogPath, testCatalog(primary.url, backup.url));
  const providerKeys: Record<string, string> = { PRIMARY_API_KEY: "sk-primary-test", BACKUP_API_KEY: "sk-backup-test", ...options.providerKeys };

  // One NATS connection per service, as if each ran in its own process, each as its identity. A nats-server
  // per stack starts in tens of milliseconds and leaves nothing behind on a shared server.
  const bus = await startSecuredBus(subjects);
  const connections: NatsConnection[] = [];
  const connect = async (name: string, identity: BusIdentity) => {
    const connection = await bus.connectAs(identity, name);
    connections.push(connection);
    return connection;
  };
  const services: Stoppable[] = [];
  const routerConnection = await connect("router", busIdentities.router);
  const launchRouter = (connection = routerConnection) =>
    startRouter({
      connection,
      database: database.database,
      subjects,
      logger: logger("router"),
      catalogPath,
      environment: providerKeys,
      healthPolicy: { ...defaultHealthPolicy, ...options.health?.policy },
      ...(options.health?.figuresIntervalMs !== undefined ? { healthFiguresIntervalMs: options.health.figuresIntervalMs } : {}),
    });
  let router = await launchRouter();
  let routerRunning = true;
  services.push(
    await startProviderConnector({
      connection: await connect("connector", busIdentities.providerConnector),
      subjects,
      logger: logger("provider-connector"),
      resolveApiKey: (name: string) => providerKeys[name],
      ...(options.health?.outcomeReportIntervalMs !== undefined ? { outcomeReportIntervalMs: options.health.outcomeReportIntervalMs } : {}),
    }),
  );
  const billing = await startBilling({
    connection: await connect("billing", busIdentities.billing),
    database: database.database,
    subjects,
    logger: logger("billing"),
    reservationTtlSeconds: 900,
    sweepIntervalSeconds: 30,
  });
  services.push(billing);
  services.push(await startMetadataLogging({ connection: await connect("logging", busIdentities.metadataLogging), database: database.database, subjects, logger: logger("metadata-logging") }));

  const adminKey = "test-admin-key-0123456789";
  const shutdownSignal = unlimitedListeners(new AbortController().signal);
  const ingresses: { app: FastifyInstance; publisher: FactPublisher; watch: RoutingSnapshotWatch }[] = [];
  // As services/ingress/src/main.ts wires it: facts stream, publisher, routing watch, then the app.
  const startIngress = async (): Promise<string> => {
    const connection = await connect("ingress", busIdentities.ingress);
    await ensureFactsStream(connection, subjects);
    const publisher = new FactPublisher(connection, { logger: logger("ingress") });
    const routing = new LocalRouting(Date.now, options.random ?? (() => 0));
    const watch = new RoutingSnapshotWatch(connection, subjects, { logger: logger("ingress"), onSnapshot: (update) => routing.apply(update) });
    if (!(await watch.waitForSnapshot(5_000))) throw new Error("ingress received no routing snapshot within 5 s");
    const app: FastifyInstance = await buildApp({
      clients: createServiceClients(connection, subjects, publisher, options.serviceRequestTimeoutMs ?? 2_000),
      routing,
      logger: logger("ingress"),
      adminKey,
      maxBodyBytes: 64 * 1024,
      keyCacheTtlMs: 1_000,
      generationIdleTimeoutMs: 10_000,
      generationMaximumDurationMs: 60_000,
      shutdownSignal,
      streamKeepAliveMs: 200,
      streamCommitMs: 500,
      creditLeases: { idleMs: 2_000 },
      ...options.ingress,
    });
    ingresses.push({ app, publisher, watch });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    return `http://127.0.0.1:${port}/api/v1`;
  };
  const baseUrl = await startIngress();

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };

  return {
    baseUrl,
    adminKey,
    subjects,
    database,
    primary,
    backup,
    catalogPath,
    admin,
    async createFundedKey(amountUsd) {
      const account = await admin("POST", "/admin/accounts", { name: "e2e" });
      const accountId = (account.body as { data: { id: string } }).data.id;
      const credits = await admin("POST", `/admin/accounts/${accountId}/credits`, { amount_usd: amountUsd });
      if (credits.status !== 200) throw new Error(`granting credits failed: ${JSON.stringify(credits.body)}`);
      const created = await admin("POST", "/keys", { account_id: accountId, name: "e2e key" });
      return { accountId, key: (created.body as { key: string }).key };
    },
    async stopRouter() {
      if (routerRunning) await router.stop();
      routerRunning = false;
    },
    async stopBilling() {
      const index = services.indexOf(billing);
      if (index === -1) return;
      services.splice(index, 1);
      await billing.stop();
    },
    async restartRouter() {
      if (routerRunning) await router.stop();
      routerRunning = false;
      router = await launchRouter();
      routerRunning = true;
    },
    addIngress: startIngress,
    async addRouter() {
      services.push(await launchRouter(await connect("router", busIdentities.router)));
    },
    bus,
    async stop() {
      for (const ingress of ingresses) await ingress.app.close();
      for (const ingress of ingresses) await ingress.publisher.pending();
      for (const ingress of ingresses) ingress.watch.stop();
      if (routerRunning) await router.stop();
      for (const service of services) await service.stop();
      for (const connection of connections) await connection.close();
      const violations = await bus.permissionViolations();
      await bus.stop();
      await primary.close();
      await backup.close();
      await database.drop();
      // Services log a refused operation and carry on, so a missing permission could pass a test unseen.
      if (violations.length > 0) throw new Error(`the NATS server refused operations the services needed:\n${violations.join("\n")}`);
    },
  };
}
