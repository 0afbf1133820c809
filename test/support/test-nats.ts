import { randomBytes } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectNats } from "@switchboard/messaging";

/** The NATS server tests use: NATS_URL, or the machine's local server with JetStream. */
export const testNatsUrl = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";

/** A namespace no other test run uses, so services of parallel tests never answer each other. */
export function uniqueNamespace(prefix = "t"): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

export function connectTestNats(name = "switchboard-test"): Promise<NatsConnection> {
  return connectNats({ servers: testNatsUrl, name });
}
