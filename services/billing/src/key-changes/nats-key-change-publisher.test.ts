import type { NatsConnection } from "@nats-io/transport-node";
import { createSubjects } from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import { describe, expect, it, vi } from "vitest";
import { natsKeyChangePublisher } from "./nats-key-change-publisher.js";

const keyHash = "e".repeat(64);
const subjects = createSubjects("unit");

describe("natsKeyChangePublisher", () => {
  it("publishes the validated announcement on the key-changed subject", async () => {
    const connection = { publish: vi.fn() };
    const publisher = natsKeyChangePublisher({ connection: connection as unknown as NatsConnection, subjects, logger: { error: vi.fn() } as unknown as Logger });
    await publisher.publish({ keyHash, change: "disabled" });
    expect(connection.publish).toHaveBeenCalledWith(subjects.keyChanged, JSON.stringify({ keyHash, change: "disabled" }));
  });

  it("never rejects: a change already committed stands, and the failure is logged", async () => {
    const connection = {
      publish: vi.fn(() => {
        throw new Error("connection closed");
      }),
    };
    const logger = { error: vi.fn() };
    const publisher = natsKeyChangePublisher({ connection: connection as unknown as NatsConnection, subjects, logger: logger as unknown as Logger });
    await expect(publisher.publish({ keyHash, change: "disabled" })).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});
