import { describe, expect, it } from "vitest";
import { createSwitchboardApi } from "./switchboard-api.js";

/** A fetch answering /readyz with this status, a routing snapshot of this age and billing answering or not. */
function readyzAnswering(status: number, ageMs: number | null, billing = true): typeof fetch {
  return async () =>
    new Response(JSON.stringify({ status: status === 200 ? "ready" : "not ready", checks: { billing, routing: { ready: ageMs !== null, revision: 1, ageMs } } }), { status });
}

describe("SwitchboardApi.isReady", () => {
  const origin = "http://127.0.0.1:1";

  it("is /readyz answering 200 when no start time is given", async () => {
    expect(await createSwitchboardApi({ origin, adminKey: "k", fetch: readyzAnswering(200, 60_000) }).isReady()).toBe(true);
    expect(await createSwitchboardApi({ origin, adminKey: "k", fetch: readyzAnswering(503, null) }).isReady()).toBe(false);
  });

  it("waits for billing too: ingress is ready without it, but start-up goes on to create an account", async () => {
    expect(await createSwitchboardApi({ origin, adminKey: "k", fetch: readyzAnswering(200, 60_000, false) }).isReady()).toBe(false);
  });

  it("waits for a routing snapshot published after the services started, not one NATS kept from the last run", async () => {
    const servicesStartedAt = Date.now() - 1_000;
    expect(await createSwitchboardApi({ origin, adminKey: "k", fetch: readyzAnswering(200, 60_000), servicesStartedAt }).isReady()).toBe(false);
    expect(await createSwitchboardApi({ origin, adminKey: "k", fetch: readyzAnswering(200, 200), servicesStartedAt }).isReady()).toBe(true);
  });
});
