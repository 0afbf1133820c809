import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { busIdentities } from "@switchboard/messaging";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { busConfigFileName, seedFileName } from "./bus-credentials.js";
import { operationsServiceNames, serviceNames } from "./service-environment.js";

interface ComposeService {
  user?: string;
  environment?: Record<string, string | null>;
  secrets?: { source: string; target: string }[];
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean; bind?: { create_host_path?: boolean } })[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
}

const composeFile = fileURLToPath(new URL("../../../docker-compose.yml", import.meta.url));
// Merge keys (`<<: *nats-environment`) resolved, as compose does.
const compose = parse(readFileSync(composeFile, "utf8"), { merge: true }) as ComposeFile;
const credentialsDirectory = "${SWITCHBOARD_BUS_CREDENTIALS:?";

/** docker-compose.yml against the files `npm run bus-credentials` writes; there is no Docker engine in CI to run it. */
describe("docker-compose.yml runs a locked-down bus (issue 8)", () => {
  it("gives every service its own identity's seed as a secret file named by NATS_NKEY_SEED_FILE", () => {
    for (const service of serviceNames) {
      const definition = compose.services[service];
      expect(definition?.environment?.["NATS_NKEY_SEED_FILE"], service).toBe("/run/secrets/bus-identity");
      expect(definition?.secrets, service).toEqual([{ source: `bus-identity-${service}`, target: "bus-identity" }]);
      // Each service's identity has its name (busIdentities).
      const file = compose.secrets[`bus-identity-${service}`]?.file ?? "";
      expect(file.startsWith(credentialsDirectory), file).toBe(true);
      expect(file.endsWith(`}/${seedFileName(service)}`), file).toBe(true);
    }
    expect(Object.values(busIdentities)).toEqual(expect.arrayContaining([...serviceNames]));
  });

  it("connects nothing else to NATS without an identity", () => {
    const onTheBus = Object.entries(compose.services).filter(([, definition]) => definition.environment?.["NATS_URL"] !== undefined);
    expect(onTheBus.map(([name]) => name).sort()).toEqual([...serviceNames].sort());
  });

  it("starts nats-server with the generated configuration, and fails rather than mount a missing one", () => {
    const volumes = compose.services["nats"]?.volumes ?? [];
    const config = volumes.find((volume) => typeof volume === "object" && volume.target === "/etc/nats/switchboard.conf");
    expect(config).toMatchObject({ type: "bind", read_only: true, bind: { create_host_path: false } });
    const source = typeof config === "object" ? config.source : "";
    expect(source.startsWith(credentialsDirectory) && source.endsWith(`}/${busConfigFileName}`), source).toBe(true);
    expect(volumes).not.toContain("./deploy/nats/nats-server.conf:/etc/nats/switchboard.conf:ro");
  });

  it("runs the services as the owner of the seeds", () => {
    for (const service of serviceNames) expect(compose.services[service]?.user, service).toBe("${SWITCHBOARD_UID:-1000}");
  });
});

describe("docker-compose.yml exposes every service's metrics (issue 12)", () => {
  it("gives each service without an HTTP API an operations port; ingress serves /metrics on its own", () => {
    for (const service of operationsServiceNames) expect(compose.services[service]?.environment?.["OPERATIONS_PORT"], service).toBe("9464");
    expect(compose.services["ingress"]?.environment?.["OPERATIONS_PORT"]).toBeUndefined();
  });
});
