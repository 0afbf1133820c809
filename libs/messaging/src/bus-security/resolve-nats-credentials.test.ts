import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createAccount, createUser } from "@nats-io/nkeys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasNatsCredentials, resolveNatsSecurity } from "./resolve-nats-credentials.js";

const userSeed = new TextDecoder().decode(createUser().getSeed());

describe("resolveNatsSecurity", () => {
  let directory: string;
  let seedFile: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-seed-"));
    seedFile = path.join(directory, "ingress.nk");
    await writeFile(seedFile, `${userSeed}\n`, { mode: 0o600 });
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("connects anonymously when nothing is set", async () => {
    expect(await resolveNatsSecurity({}, {})).toEqual({});
    expect(hasNatsCredentials({})).toBe(false);
  });

  it("authenticates with the nkey of a seed file readable by its owner only", async () => {
    const security = await resolveNatsSecurity({ nkeySeedFile: seedFile });
    expect(security.authenticator).toBeTypeOf("function");
  });

  it("refuses a seed file other users can read, saying how to fix it", async () => {
    const readable = path.join(directory, "readable.nk");
    await writeFile(readable, userSeed);
    await chmod(readable, 0o644);
    await expect(resolveNatsSecurity({ nkeySeedFile: readable })).rejects.toThrow(`readable by other users (mode 644); run \`chmod 600 ${readable}\``);
  });

  it.runIf(process.getuid?.() === 0)("accepts a group-readable seed file owned by root (a Kubernetes secret with fsGroup), not one owned by another user", async () => {
    const mounted = path.join(directory, "mounted.nk");
    await writeFile(mounted, userSeed);
    await chmod(mounted, 0o440);
    expect((await resolveNatsSecurity({ nkeySeedFile: mounted })).authenticator).toBeTypeOf("function");
    await chmod(mounted, 0o460);
    await expect(resolveNatsSecurity({ nkeySeedFile: mounted })).rejects.toThrow("readable by other users (mode 460)");
    await chmod(mounted, 0o440);
    await chown(mounted, 1000, 1000);
    await expect(resolveNatsSecurity({ nkeySeedFile: mounted })).rejects.toThrow(`readable by other users (mode 440); run \`chmod 600 ${mounted}\``);
  });

  it("names a seed file it cannot read", async () => {
    await expect(resolveNatsSecurity({ nkeySeedFile: path.join(directory, "missing.nk") })).rejects.toThrow(/NATS_NKEY_SEED_FILE .*missing\.nk cannot be read/);
  });

  it("refuses text that is not a user seed", async () => {
    await expect(resolveNatsSecurity({ nkeySeed: "not a seed" })).rejects.toThrow("NATS_NKEY_SEED does not hold an nkey seed");
    const accountSeed = new TextDecoder().decode(createAccount().getSeed());
    await expect(resolveNatsSecurity({ nkeySeed: accountSeed })).rejects.toThrow("not a user's (user seeds start with SU)");
  });

  it("refuses two kinds of credentials at once and half a user/password pair", async () => {
    await expect(resolveNatsSecurity({ nkeySeed: userSeed, user: "ingress", password: "secret" })).rejects.toThrow("Set one kind of NATS credentials, not NATS_NKEY_SEED and NATS_USER/NATS_PASSWORD.");
    await expect(resolveNatsSecurity({ user: "ingress" })).rejects.toThrow("NATS_USER and NATS_PASSWORD go together");
    expect(await resolveNatsSecurity({ user: "ingress", password: "secret" })).toEqual({ user: "ingress", pass: "secret" });
  });

  it("turns TLS on with a CA file, and wants a client certificate and its key together", async () => {
    expect(await resolveNatsSecurity({}, { caFile: "/etc/nats/ca.pem" })).toEqual({ tls: { caFile: "/etc/nats/ca.pem" } });
    expect(await resolveNatsSecurity({}, { caFile: "/ca.pem", certFile: "/client.pem", keyFile: "/client-key.pem" })).toEqual({
      tls: { caFile: "/ca.pem", certFile: "/client.pem", keyFile: "/client-key.pem" },
    });
    await expect(resolveNatsSecurity({}, { certFile: "/client.pem" })).rejects.toThrow("NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together");
  });
});
