import { loadConfig } from "@switchboard/config";
import { describe, expect, it } from "vitest";
import { providerConnectorConfigSchema } from "./config.js";

describe("provider connector config", () => {
  it("defaults every setting", () => {
    expect(loadConfig(providerConnectorConfigSchema, {})).toMatchObject({
      NATS_URL: "nats://127.0.0.1:4222",
      SWITCHBOARD_NATS_NAMESPACE: "sb",
      UPSTREAM_CONNECT_TIMEOUT_MS: 10_000,
      UPSTREAM_HEADERS_TIMEOUT_MS: 120_000,
      UPSTREAM_BODY_TIMEOUT_MS: 120_000,
      CONNECTOR_HEARTBEAT_MS: 5_000,
      INGRESS_SILENCE_MS: 3_000,
    });
  });

  it("reads how long an ingress may be silent and refuses less than two of its one-second beats", () => {
    expect(loadConfig(providerConnectorConfigSchema, { INGRESS_SILENCE_MS: "5000" }).INGRESS_SILENCE_MS).toBe(5_000);
    expect(() => loadConfig(providerConnectorConfigSchema, { INGRESS_SILENCE_MS: "1999" })).toThrow(/INGRESS_SILENCE_MS/);
  });

  it("reads timeouts as integers and rejects zero", () => {
    expect(loadConfig(providerConnectorConfigSchema, { UPSTREAM_BODY_TIMEOUT_MS: "5000" }).UPSTREAM_BODY_TIMEOUT_MS).toBe(5_000);
    expect(() => loadConfig(providerConnectorConfigSchema, { UPSTREAM_CONNECT_TIMEOUT_MS: "0" })).toThrow(/UPSTREAM_CONNECT_TIMEOUT_MS/);
  });

  it("reads the heartbeat interval and refuses one below 50 ms", () => {
    expect(loadConfig(providerConnectorConfigSchema, { CONNECTOR_HEARTBEAT_MS: "50" }).CONNECTOR_HEARTBEAT_MS).toBe(50);
    expect(() => loadConfig(providerConnectorConfigSchema, { CONNECTOR_HEARTBEAT_MS: "49" })).toThrow(/CONNECTOR_HEARTBEAT_MS/);
  });
});
