import type { NatsConnection } from "@nats-io/transport-node";
import { createSubjects } from "@switchboard/contracts";
import { describe, expect, it, vi } from "vitest";
import { AdminKeyChangePublisher } from "./admin-key-change-publisher.js";

const keyHash = "d".repeat(64);
const subjects = createSubjects("unit");

function fakeConnection(flush: () => Promise<void> = async () => undefined) {
  return { publish: vi.fn(), flush: vi.fn(flush), close: vi.fn(async () => undefined) };
}

describe("AdminKeyChangePublisher", () => {
  it("connects once, on the first change, and waits for the server to confirm each announcement", async () => {
    const connection = fakeConnection();
    const connect = vi.fn(async () => connection as unknown as NatsConnection);
    const warn = vi.fn();
    const publisher = new AdminKeyChangePublisher({ connect, subjects, warn });
    expect(connect).not.toHaveBeenCalled();

    await publisher.publish({ keyHash, change: "disabled" });
    await publisher.publish({ keyHash, change: "enabled" });
    expect(connect).toHaveBeenCalledTimes(1);
    expect(connection.publish.mock.calls.map(([subject, data]) => [subject, JSON.parse(data as string)])).toEqual([
      [subjects.keyChanged, { keyHash, change: "disabled" }],
      [subjects.keyChanged, { keyHash, change: "enabled" }],
    ]);
    expect(connection.flush).toHaveBeenCalledTimes(2);
    expect(warn).not.toHaveBeenCalled();
    await publisher.close();
    expect(connection.close).toHaveBeenCalledTimes(1);
  });

  it("tells the operator what running ingresses keep and how to apply the change when NATS is unreachable", async () => {
    const warn = vi.fn();
    const publisher = new AdminKeyChangePublisher({ connect: async () => Promise.reject(new Error("connection refused")), subjects, warn });
    await expect(publisher.publish({ keyHash, change: "disabled" })).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    const text = String(warn.mock.calls[0]?.[0]);
    expect(text).toContain(`key ${keyHash} is disabled in the database`);
    expect(text).toContain("connection refused");
    expect(text).toContain("KEY_CACHE_TTL_MS");
    expect(text).toMatch(/run the same command again once NATS is reachable/);
    await publisher.close();
  });

  it("counts a server that does not confirm in time as unreachable", async () => {
    const connection = fakeConnection(() => new Promise(() => undefined));
    const warn = vi.fn();
    const publisher = new AdminKeyChangePublisher({ connect: async () => connection as unknown as NatsConnection, subjects, warn, timeoutMs: 20 });
    await publisher.publish({ keyHash, change: "disabled" });
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/did not confirm within 20 ms/);
  });

  it("says nothing when only a creation could not be announced: no ingress holds data about a new key", async () => {
    const warn = vi.fn();
    const publisher = new AdminKeyChangePublisher({ connect: async () => Promise.reject(new Error("connection refused")), subjects, warn });
    await publisher.publish({ keyHash, change: "created" });
    expect(warn).not.toHaveBeenCalled();
  });
});
