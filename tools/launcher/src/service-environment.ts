/** The five services, in the order they are started; ingress is stopped first. */
export const serviceNames = ["router", "provider-connector", "billing", "metadata-logging", "ingress"] as const;
export type ServiceName = (typeof serviceNames)[number];

const databaseServices: ReadonlySet<ServiceName> = new Set(["router", "billing", "metadata-logging"]);

/** The services with an operations listener (OPERATIONS_PORT: /metrics, /healthz, /readyz); ingress serves them on its own port. */
export const operationsServiceNames = ["router", "provider-connector", "billing", "metadata-logging"] as const satisfies readonly ServiceName[];
export type OperationsServiceName = (typeof operationsServiceNames)[number];

/** Consecutive operations ports from `base`, in the order of `operationsServiceNames` (the launcher's OPERATIONS_PORT). */
export function consecutiveOperationsPorts(base: number): Record<OperationsServiceName, number> {
  return Object.fromEntries(operationsServiceNames.map((name, index) => [name, base + index])) as Record<OperationsServiceName, number>;
}

/** What the launcher tells every service, on top of the environment it inherits. */
export interface ServiceEnvironmentSettings {
  natsUrl: string;
  namespace: string;
  logLevel: string;
  databaseUrl: string;
  ingressPort: number;
  ingressHost: string;
  adminKey: string;
  catalogPath: string;
  /** Where the demo provider's requests go; unset with a custom catalog. */
  demoUpstreamUrl: string | undefined;
  /**
   * Each service's nkey seed file, when the launcher runs its own nats-server with bus identities
   * (`ensureBusCredentials`). Unset, the NATS_* credentials the user set (if any) pass through unchanged.
   */
  busSeedFiles?: Readonly<Record<ServiceName, string>> | undefined;
  /** Each service's operations port; a service left out gets none. */
  operationsPorts?: Readonly<Partial<Record<OperationsServiceName, number>>> | undefined;
}

/** NATS credential and TLS settings, which belong to the server they were set for. */
const natsCredentialVariables = ["NATS_NKEY_SEED_FILE", "NATS_NKEY_SEED", "NATS_USER", "NATS_PASSWORD", "NATS_TLS_CA_FILE", "NATS_TLS_CERT_FILE", "NATS_TLS_KEY_FILE"];

/** Entry point of a service relative to the repository root. */
export function serviceEntryPoint(service: ServiceName): string {
  return `services/${service}/dist/main.js`;
}

/**
 * The environment of one service: the launcher's own (provider API keys named by the catalog pass
 * through), minus variables meant for another service, plus the addresses the launcher chose.
 */
export function buildServiceEnvironment(
  service: ServiceName,
  inherited: Readonly<Record<string, string | undefined>>,
  settings: ServiceEnvironmentSettings,
): Record<string, string | undefined> {
  const environment: Record<string, string | undefined> = { ...inherited };
  // OPERATIONS_PORT too: one value inherited by every service would make all but one fail to listen.
  for (const name of ["PORT", "HOST", "SWITCHBOARD_ADMIN_KEY", "DATABASE_URL", "SWITCHBOARD_CATALOG", "SWITCHBOARD_DEMO_UPSTREAM_URL", "OPERATIONS_PORT"]) {
    delete environment[name];
  }
  environment["NATS_URL"] = settings.natsUrl;
  if (settings.busSeedFiles !== undefined) {
    // The launcher's own server knows only its identities: credentials for another server would be refused.
    for (const name of natsCredentialVariables) delete environment[name];
    environment["NATS_NKEY_SEED_FILE"] = settings.busSeedFiles[service];
  }
  environment["SWITCHBOARD_NATS_NAMESPACE"] = settings.namespace;
  environment["LOG_LEVEL"] = settings.logLevel;
  if (databaseServices.has(service)) environment["DATABASE_URL"] = settings.databaseUrl;
  const operationsPort = service === "ingress" ? undefined : settings.operationsPorts?.[service];
  if (operationsPort !== undefined) environment["OPERATIONS_PORT"] = String(operationsPort);
  if (service === "ingress") {
    environment["PORT"] = String(settings.ingressPort);
    environment["HOST"] = settings.ingressHost;
    environment["SWITCHBOARD_ADMIN_KEY"] = settings.adminKey;
  }
  if (service === "router") {
    environment["SWITCHBOARD_CATALOG"] = settings.catalogPath;
    if (settings.demoUpstreamUrl !== undefined) environment["SWITCHBOARD_DEMO_UPSTREAM_URL"] = settings.demoUpstreamUrl;
  }
  return environment;
}
