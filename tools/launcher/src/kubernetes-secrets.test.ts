import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { allBusIdentities } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ensureBusCredentials, type BusCredentials } from "./bus-credentials.js";
import { identitySecretName, natsConfigSecretName, renderKubernetesSecrets, seedSecretKey } from "./kubernetes-secrets.js";

interface SecretManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  type: string;
  data: Record<string, string>;
}

const decode = (value: string | undefined) => Buffer.from(value ?? "", "base64").toString("utf8");

describe("renderKubernetesSecrets (issue 8)", () => {
  let directory: string;
  let credentials: BusCredentials;
  let secrets: Map<string, SecretManifest>;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-kubernetes-"));
    credentials = await ensureBusCredentials({ directory, namespace: "sb" });
    const manifests = renderKubernetesSecrets({ seeds: credentials.seeds, config: credentials.config });
    secrets = new Map(manifests.map((manifest) => [manifest.fileName, parse(manifest.text) as SecretManifest]));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("holds each identity's seed in a Secret of its own, under the key it is mounted as", () => {
    for (const identity of allBusIdentities) {
      const secret = secrets.get(`${identitySecretName(identity)}.yaml`);
      expect(secret, identity).toMatchObject({ apiVersion: "v1", kind: "Secret", metadata: { name: `switchboard-bus-${identity}` }, type: "Opaque" });
      expect(Object.keys(secret?.data ?? {})).toEqual([seedSecretKey]);
      expect(decode(secret?.data[seedSecretKey]).trim()).toBe(credentials.seeds[identity]);
      expect(secret?.metadata.namespace).toBeUndefined();
    }
  });

  it("holds the nats-server configuration in one more Secret, and no seed in it", () => {
    const secret = secrets.get(`${natsConfigSecretName}.yaml`);
    expect(secret?.metadata.name).toBe("switchboard-nats-config");
    expect(decode(secret?.data["nats-server.conf"])).toBe(credentials.config);
    for (const identity of allBusIdentities) expect(decode(secret?.data["nats-server.conf"])).not.toContain(credentials.seeds[identity]);
    expect(secrets.size).toBe(allBusIdentities.length + 1);
  });
});
