import { SwitchboardError } from "@switchboard/contracts";
import { checkNats } from "@switchboard/messaging";
import { processMetricsRegistry } from "@switchboard/telemetry";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ServiceClients } from "../plugins/service-clients.js";
import type { LocalRouting } from "../routing/local-routing.js";

/**
 * GET /healthz: the process is alive. GET /readyz: NATS is connected and a routing snapshot is held, i.e.
 * a chat request could be served; Kubernetes and load balancers take the pod out of rotation otherwise.
 * Routing is checked in process, without asking the router: requests are routed from the snapshot, so a
 * stopped router does not make ingress unready, and `checks.routing.ageMs` says how old the snapshot is.
 * `checks.billing` says whether billing answers (it answers 503 while its database is down) but does not
 * decide readiness: keys are known from memory and credit is held against leases, so ingress keeps serving
 * the requests those cover through a database outage, and answers a fast 503 to the others; out of
 * rotation it would refuse them all. Ingress has no database of its own, so none is checked.
 *
 * GET /metrics: this process's Prometheus registry (README "Metrics"); ingress answers it on its HTTP port,
 * the other services on their OPERATIONS_PORT.
 */
export async function healthRoutes(app: FastifyInstance, options: { clients: ServiceClients; routing: LocalRouting }): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/metrics", async (_request, reply) => {
    const registry = processMetricsRegistry();
    const text = await registry.metrics();
    return reply.header("content-type", registry.contentType).header("cache-control", "no-store").send(text);
  });
  app.get("/readyz", async (_request, reply) => {
    const { clients } = options;
    const routing = options.routing.status();
    // The connection's own status answers at once while NATS is down; a round trip confirms it otherwise.
    const nats = clients.state.connected && (await checkNats(clients.connection));
    const billing = nats
      ? await answers(() => clients.request(clients.subjects.billingGetAccount, { accountId: "00000000-0000-0000-0000-000000000000" }, z.unknown(), "billing"))
      : false;
    const ready = nats && routing.ready;
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks: { nats, routing, billing } });
  });
}

/** A service answers when it replies at all, even with an error (e.g. 404 for a probe id). */
async function answers(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    return error instanceof SwitchboardError && error.error.status !== 503;
  }
}
