import { integerSetting, natsSettings, operationsSettings } from "@switchboard/config";
import { z } from "zod";
import { defaultAcknowledgementDelayMs } from "./handlers/numbered-part-publisher.js";
import { defaultIngressSilenceMs } from "./handlers/ingress-liveness.js";
import { defaultHeartbeatIntervalMs } from "./handlers/publish-heartbeats.js";
import { defaultOutcomeReportIntervalMs } from "./health/outcome-reporter.js";
import { defaultUpstreamTimeouts } from "./transport/upstream-transport.js";

/**
 * The environment the provider connector reads. Provider API keys are not listed here: each endpoint in
 * the router's routing snapshot names the variable that holds its key (`apiKeyEnv`, from the catalog),
 * so adding a provider to the catalog needs no change to this schema, only the variable in the
 * connector's deployment.
 */
export const providerConnectorConfigSchema = z.object({
  ...natsSettings,
  ...operationsSettings,
  /** Time allowed to open the TCP (and TLS) connection to a provider. */
  UPSTREAM_CONNECT_TIMEOUT_MS: integerSetting(defaultUpstreamTimeouts.connectTimeoutMs, 1),
  /** Time allowed until the response headers arrive; reasoning models may think for a long while first. */
  UPSTREAM_HEADERS_TIMEOUT_MS: integerSetting(defaultUpstreamTimeouts.headersTimeoutMs, 1),
  /** Longest silence allowed between two body chunks, so a stalled stream fails instead of hanging. */
  UPSTREAM_BODY_TIMEOUT_MS: integerSetting(defaultUpstreamTimeouts.bodyTimeoutMs, 1),
  /**
   * How often a running generation sends ingress a `heartbeat` part; keep it well below ingress's idle
   * timeout. At least 50 ms, so a typo cannot flood NATS.
   */
  CONNECTOR_HEARTBEAT_MS: integerSetting(defaultHeartbeatIntervalMs, 50),
  /**
   * How long the acknowledgement of a generation (part 0) may wait to travel with the answer's first part,
   * so a fast answer crosses the bus in one message. Keep it well below ingress's
   * SERVICE_REQUEST_TIMEOUT_MS (how long ingress waits for that acknowledgement); 0 sends it at once.
   */
  CONNECTOR_ACKNOWLEDGE_DELAY_MS: integerSetting(defaultAcknowledgementDelayMs, 0),
  /**
   * At most how often the connector reports its attempts' outcomes to the router (one message per
   * interval, sooner after a failure). At least 50 ms, so a typo cannot flood NATS.
   */
  CONNECTOR_OUTCOME_REPORT_MS: integerSetting(defaultOutcomeReportIntervalMs, 50),
  /**
   * How long an ingress replica may send no heartbeat (it sends one a second, so at least 2 s: one late
   * beat must not stop healthy generations) before the connector stops
   * the upstream calls it asked for; what they produced is still charged from the usage report (issue 10).
   */
  INGRESS_SILENCE_MS: integerSetting(defaultIngressSilenceMs, 2_000),
});

/** The validated, frozen configuration of the provider connector. */
export type ProviderConnectorConfig = Readonly<z.infer<typeof providerConnectorConfigSchema>>;
