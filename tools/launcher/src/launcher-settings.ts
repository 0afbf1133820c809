import { randomBytes } from "node:crypto";
import path from "node:path";

/** How service log lines reach the console: only warnings and errors (`files`), or every line. */
export const logModes = { files: "files", console: "console" } as const;
export type LogMode = (typeof logModes)[keyof typeof logModes];

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const namespacePattern = /^[A-Za-z0-9_-]+$/;

/** Everything the launcher decides from its environment, resolved once. */
export interface LauncherSettings {
  readonly repositoryRoot: string;
  /** `<repo>/.switchboard` (or SWITCHBOARD_STATE_DIR): PostgreSQL and NATS data, logs, the demo account, the launch record. */
  readonly stateDirectory: string;
  readonly ingressPort: number;
  readonly ingressHost: string;
  /**
   * OPERATIONS_PORT: the first of four consecutive ports for the operations listeners (/metrics, /healthz,
   * /readyz) of router, provider-connector, billing and metadata-logging; unset, they have none.
   */
  readonly operationsPortBase: number | undefined;
  readonly adminKey: string;
  /** True when SWITCHBOARD_ADMIN_KEY was unset and the launcher made one up for this launch. */
  readonly adminKeyGenerated: boolean;
  /** Absolute path of the catalog file the router reads. */
  readonly catalogPath: string;
  /** True when SWITCHBOARD_CATALOG names a catalog: no demo upstream is started then. */
  readonly customCatalog: boolean;
  /** An existing PostgreSQL to use instead of the embedded one. */
  readonly databaseUrl: string | undefined;
  /** An existing NATS server (with JetStream) to use instead of starting nats-server. */
  readonly natsUrl: string | undefined;
  /** True when any NATS_* credential is set: passed to the services with NATS_URL, ignored without it. */
  readonly natsCredentialsSet: boolean;
  readonly namespace: string;
  readonly logLevel: string;
  readonly logMode: LogMode;
}

export interface ResolveSettingsOptions {
  repositoryRoot: string;
  /** Where the user typed `npm start` (npm's INIT_CWD): relative SWITCHBOARD_CATALOG paths start there. */
  invocationDirectory: string;
  generateAdminKey?: () => string;
}

/** The environment is not usable; `problems` lists every reason at once. */
export class LauncherSettingsError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "LauncherSettingsError";
    this.problems = problems;
  }
}

/** A random management key, e.g. `sb-admin-3q2…`: 192 bits, URL-safe so it pastes into a shell as is. */
export function generateAdminKey(): string {
  return `sb-admin-${randomBytes(24).toString("base64url")}`;
}

/** Reads the launcher's variables; an empty value counts as unset (as `VAR= npm start` intends). */
export function resolveLauncherSettings(
  environment: Readonly<Record<string, string | undefined>>,
  options: ResolveSettingsOptions,
): LauncherSettings {
  const value = (name: string): string | undefined => {
    const found = environment[name]?.trim();
    return found === undefined || found === "" ? undefined : found;
  };
  const problems: string[] = [];

  const portText = value("PORT") ?? "8080";
  const ingressPort = Number(portText);
  if (!/^\d+$/.test(portText) || ingressPort < 1 || ingressPort > 65_535) {
    problems.push(`PORT: "${portText}" is not a TCP port (1-65535)`);
  }

  const operationsPortText = value("OPERATIONS_PORT");
  const operationsPortBase = operationsPortText === undefined ? undefined : Number(operationsPortText);
  if (operationsPortText !== undefined && (!/^\d+$/.test(operationsPortText) || (operationsPortBase ?? 0) < 1 || (operationsPortBase ?? 0) > 65_532)) {
    problems.push(`OPERATIONS_PORT: "${operationsPortText}" is not a TCP port (1-65532; it and the next three are used)`);
  }

  const namespace = value("SWITCHBOARD_NATS_NAMESPACE") ?? "sb";
  if (!namespacePattern.test(namespace)) problems.push(`SWITCHBOARD_NATS_NAMESPACE: "${namespace}" may only contain letters, digits, "_" and "-"`);

  const logLevel = value("LOG_LEVEL") ?? "info";
  if (!(logLevels as readonly string[]).includes(logLevel)) problems.push(`LOG_LEVEL: "${logLevel}" is not one of ${logLevels.join(", ")}`);

  const logModeText = value("SWITCHBOARD_LAUNCHER_LOGS") ?? logModes.files;
  if (!Object.values<string>(logModes).includes(logModeText)) problems.push(`SWITCHBOARD_LAUNCHER_LOGS: "${logModeText}" is not "files" or "console"`);

  const databaseUrl = value("DATABASE_URL");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push("DATABASE_URL: expected a postgres:// connection string");

  const natsUrl = value("NATS_URL");
  if (natsUrl !== undefined && !/^(nats|tls|ws|wss):\/\//.test(natsUrl)) problems.push("NATS_URL: expected a nats:// URL");

  // Ingress refuses shorter management keys; say so before anything is started.
  const givenAdminKey = value("SWITCHBOARD_ADMIN_KEY");
  if (givenAdminKey !== undefined && givenAdminKey.length < 16) problems.push("SWITCHBOARD_ADMIN_KEY: must be at least 16 characters");

  if (problems.length > 0) throw new LauncherSettingsError(problems);

  const customCatalogPath = value("SWITCHBOARD_CATALOG");
  return Object.freeze({
    repositoryRoot: options.repositoryRoot,
    stateDirectory: path.resolve(options.invocationDirectory, value("SWITCHBOARD_STATE_DIR") ?? path.join(options.repositoryRoot, ".switchboard")),
    ingressPort,
    // The launcher is for one machine: listen on loopback unless HOST says otherwise.
    ingressHost: value("HOST") ?? "127.0.0.1",
    operationsPortBase,
    adminKey: givenAdminKey ?? (options.generateAdminKey ?? generateAdminKey)(),
    adminKeyGenerated: givenAdminKey === undefined,
    catalogPath:
      customCatalogPath === undefined
        ? path.join(options.repositoryRoot, "deploy", "catalog", "default.yaml")
        : path.resolve(options.invocationDirectory, customCatalogPath),
    customCatalog: customCatalogPath !== undefined,
    databaseUrl,
    natsUrl,
    natsCredentialsSet: ["NATS_NKEY_SEED_FILE", "NATS_NKEY_SEED", "NATS_USER", "NATS_PASSWORD"].some((name) => value(name) !== undefined),
    namespace,
    logLevel,
    logMode: logModeText as LogMode,
  });
}

/** The URL to reach ingress from this machine: loopback when it listens on every interface. */
export function ingressOrigin(settings: Pick<LauncherSettings, "ingressHost" | "ingressPort">): string {
  const host = settings.ingressHost;
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${settings.ingressPort}`;
}
