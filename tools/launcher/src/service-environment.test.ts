import { describe, expect, it } from "vitest";
import { buildServiceEnvironment, consecutiveOperationsPorts, serviceEntryPoint, serviceNames, type ServiceName } from "./service-environment.js";

const settings = {
  natsUrl: "nats://127.0.0.1:40001",
  namespace: "sb",
  logLevel: "info",
  databaseUrl: "postgres://switchboard:switchboard@127.0.0.1:40002/switchboard",
  ingressPort: 8080,
  ingressHost: "127.0.0.1",
  adminKey: "sb-admin-x",
  catalogPath: "/srv/app/deploy/catalog/default.yaml",
  demoUpstreamUrl: "http://127.0.0.1:40003/v1",
};
const inherited = {
  PATH: "/usr/bin",
  OPENAI_API_KEY: "sk-openai",
  PORT: "9999",
  HOST: "0.0.0.0",
  DATABASE_URL: "postgres://elsewhere/db",
  SWITCHBOARD_ADMIN_KEY: "from-shell",
  MAX_BODY_BYTES: "1000000",
};

describe("buildServiceEnvironment", () => {
  it("gives ingress its listener and admin key but no database", () => {
    const environment = buildServiceEnvironment("ingress", inherited, settings);
    expect(environment).toMatchObject({ PORT: "8080", HOST: "127.0.0.1", SWITCHBOARD_ADMIN_KEY: "sb-admin-x", NATS_URL: settings.natsUrl, MAX_BODY_BYTES: "1000000" });
    expect(environment["DATABASE_URL"]).toBeUndefined();
  });

  it("gives the router its catalog, the demo upstream, the database and provider keys", () => {
    const environment = buildServiceEnvironment("router", inherited, settings);
    expect(environment).toMatchObject({
      SWITCHBOARD_CATALOG: settings.catalogPath,
      SWITCHBOARD_DEMO_UPSTREAM_URL: settings.demoUpstreamUrl,
      DATABASE_URL: settings.databaseUrl,
      OPENAI_API_KEY: "sk-openai",
      SWITCHBOARD_NATS_NAMESPACE: "sb",
      LOG_LEVEL: "info",
    });
    expect(environment["PORT"]).toBeUndefined();
    expect(environment["SWITCHBOARD_ADMIN_KEY"]).toBeUndefined();
  });

  it("keeps the database from services that do not own tables", () => {
    expect(buildServiceEnvironment("provider-connector", inherited, settings)["DATABASE_URL"]).toBeUndefined();
    expect(buildServiceEnvironment("billing", inherited, settings)["DATABASE_URL"]).toBe(settings.databaseUrl);
    expect(buildServiceEnvironment("metadata-logging", inherited, settings)["DATABASE_URL"]).toBe(settings.databaseUrl);
  });

  it("gives each service its own operations port and never passes one inherited value to all", () => {
    const withPorts = { ...settings, operationsPorts: consecutiveOperationsPorts(9464) };
    const inheritedPort = { ...inherited, OPERATIONS_PORT: "7000" };
    expect(buildServiceEnvironment("router", inheritedPort, withPorts)["OPERATIONS_PORT"]).toBe("9464");
    expect(buildServiceEnvironment("provider-connector", inheritedPort, withPorts)["OPERATIONS_PORT"]).toBe("9465");
    expect(buildServiceEnvironment("billing", inheritedPort, withPorts)["OPERATIONS_PORT"]).toBe("9466");
    expect(buildServiceEnvironment("metadata-logging", inheritedPort, withPorts)["OPERATIONS_PORT"]).toBe("9467");
    expect(buildServiceEnvironment("ingress", inheritedPort, withPorts)["OPERATIONS_PORT"]).toBeUndefined();
    expect(buildServiceEnvironment("billing", inheritedPort, settings)["OPERATIONS_PORT"]).toBeUndefined();
  });

  it("leaves the demo upstream unset with a custom catalog", () => {
    expect(buildServiceEnvironment("router", inherited, { ...settings, demoUpstreamUrl: undefined })["SWITCHBOARD_DEMO_UPSTREAM_URL"]).toBeUndefined();
  });
});

describe("buildServiceEnvironment with the launcher's own bus identities (issue 8)", () => {
  const busSeedFiles = Object.fromEntries(serviceNames.map((name) => [name, `/srv/app/.switchboard/bus/${name}.nk`])) as Record<ServiceName, string>;
  const withUserCredentials = { ...inherited, NATS_USER: "me", NATS_PASSWORD: "secret", NATS_NKEY_SEED: "SUxyz", NATS_TLS_CA_FILE: "/etc/ca.pem" };

  it("gives each service the seed file of its own identity and drops credentials meant for another server", () => {
    for (const name of serviceNames) {
      const environment = buildServiceEnvironment(name, withUserCredentials, { ...settings, busSeedFiles });
      expect(environment["NATS_NKEY_SEED_FILE"]).toBe(`/srv/app/.switchboard/bus/${name}.nk`);
      for (const dropped of ["NATS_USER", "NATS_PASSWORD", "NATS_NKEY_SEED", "NATS_TLS_CA_FILE"]) expect(environment[dropped], dropped).toBeUndefined();
    }
  });

  it("passes the user's own credentials through unchanged when the bus is theirs (NATS_URL)", () => {
    const environment = buildServiceEnvironment("billing", withUserCredentials, settings);
    expect(environment).toMatchObject({ NATS_USER: "me", NATS_PASSWORD: "secret", NATS_NKEY_SEED: "SUxyz", NATS_TLS_CA_FILE: "/etc/ca.pem" });
    expect(environment["NATS_NKEY_SEED_FILE"]).toBeUndefined();
  });
});

describe("serviceEntryPoint", () => {
  it("points at the compiled main of every service", () => {
    expect(serviceNames.map(serviceEntryPoint)).toContain("services/provider-connector/dist/main.js");
    expect(serviceNames).toHaveLength(5);
  });
});
