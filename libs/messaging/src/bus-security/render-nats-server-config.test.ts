import { createSubjects } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { allBusIdentities, type BusIdentity } from "./bus-identities.js";
import { createBusPermissions } from "./bus-permissions.js";
import { createBusIdentityKeys, publicKeyOfSeed } from "./create-bus-identity-keys.js";
import { renderNatsServerConfig } from "./render-nats-server-config.js";

const keys = createBusIdentityKeys();
const publicKeys = Object.fromEntries(allBusIdentities.map((identity) => [identity, keys[identity].publicKey])) as Record<BusIdentity, string>;

describe("renderNatsServerConfig", () => {
  const text = renderNatsServerConfig({ permissions: createBusPermissions(createSubjects("sb")), publicKeys });

  it("lists one nkey user per identity with public keys only, and keeps the repository's server settings", () => {
    for (const identity of allBusIdentities) expect(text).toContain(`nkey: "${keys[identity].publicKey}"`);
    for (const identity of allBusIdentities) expect(text).not.toContain(keys[identity].seed);
    expect(text).toContain("max_payload: 16MB");
    expect(text).toContain("max_file_store: 10GB");
    expect(text).not.toContain("no_auth_user");
  });

  it("writes each identity's permissions, with allow_responses for the services that answer requests", () => {
    const billing = text.slice(text.indexOf("# billing"), text.indexOf("# metadata-logging"));
    expect(billing).toContain('subscribe: { allow: ["_INBOX_sb_billing.>", "$SRV.>", "sb.billing.v1.>"] }');
    expect(billing).toContain("allow_responses: true");
    const ingress = text.slice(text.indexOf("# ingress"), text.indexOf("# router"));
    expect(ingress).toContain('deny: ["$KV.SWITCHBOARD_ROUTING_SB.>"]');
    expect(ingress).toContain("allow_responses: false");
  });

  it("refuses an identity without a valid public key", () => {
    const { admin: _admin, ...withoutAdmin } = publicKeys;
    expect(() => renderNatsServerConfig({ permissions: createBusPermissions(createSubjects("sb")), publicKeys: withoutAdmin as Record<BusIdentity, string> })).toThrow(
      'the bus identity "admin" needs an nkey user public key',
    );
  });

  it("derives a seed's public key", () => {
    expect(publicKeyOfSeed(keys.ingress.seed)).toBe(keys.ingress.publicKey);
  });
});
