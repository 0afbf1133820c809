import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { ConnectionState, connectNats } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createPrivateNatsServer, type PrivateNatsServer } from "../../support/private-nats-server.js";

/** Against a nats-server of this test's own, which it stops and starts again (never the shared one). */
describe("ConnectionState", () => {
  let directory: string;
  let server: PrivateNatsServer;
  let connection: NatsConnection;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-connection-state-"));
    server = await createPrivateNatsServer({ directory });
    await server.start();
    connection = await connectNats({ servers: server.url, name: "connection-state-test" });
  });

  afterAll(async () => {
    await connection?.close();
    await server?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it("knows at once that the server is gone, and tells its listeners when the connection is back", async () => {
    const state = new ConnectionState(connection);
    expect(state.connected).toBe(true);
    const reconnected = vi.fn();
    state.onReconnect(reconnected);

    await server.stop("SIGKILL");
    await vi.waitFor(() => expect(state.connected).toBe(false), { timeout: 1_000, interval: 10 });
    expect(reconnected).not.toHaveBeenCalled();

    await server.start();
    await vi.waitFor(() => expect(reconnected).toHaveBeenCalledTimes(1), { timeout: 3_000, interval: 10 });
    expect(state.connected).toBe(true);
    // Subscriptions are registered again by the time listeners run: a round trip works.
    await connection.flush();
  });

  it("stops calling a listener once it is removed", async () => {
    const state = new ConnectionState(connection);
    const listener = vi.fn();
    const remove = state.onReconnect(listener);
    remove();
    await server.stop("SIGKILL");
    await vi.waitFor(() => expect(state.connected).toBe(false), { timeout: 1_000, interval: 10 });
    await server.start();
    await vi.waitFor(() => expect(state.connected).toBe(true), { timeout: 3_000, interval: 10 });
    await connection.flush();
    expect(listener).not.toHaveBeenCalled();
  });
});
