import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartReader } from "../../../services/ingress/src/generation/part-reader.js";
import { connectTestNats } from "../../support/test-nats.js";

/** The ingress side of the connector → ingress part stream, over the real NATS server. */
describe("PartReader", () => {
  let connection: NatsConnection;

  beforeAll(async () => {
    connection = await connectTestNats();
  });

  afterAll(async () => {
    await connection.close();
  });

  const send = (reader: PartReader, part: object) => connection.publish(reader.inbox, JSON.stringify(part));

  it("yields parts in order, skips heartbeats, and stops after the terminal part", async () => {
    const reader = new PartReader(connection, 5_000);
    send(reader, { type: "stream-start", seq: 0, upstreamId: null });
    send(reader, { type: "heartbeat", seq: 1 });
    send(reader, { type: "text-delta", seq: 2, text: "hi" });
    send(reader, { type: "stream-end", seq: 3 });
    send(reader, { type: "text-delta", seq: 4, text: "after the end" });
    const types = [(await reader.next()).type, (await reader.next()).type, (await reader.next()).type];
    expect(types).toEqual(["stream-start", "text-delta", "stream-end"]);
    await connection.flush();
    expect(reader.takeQueued()).toBeUndefined();
  });

  it("turns a gap in sequence numbers into an error instead of a truncated answer", async () => {
    const reader = new PartReader(connection, 5_000);
    send(reader, { type: "stream-start", seq: 0, upstreamId: null });
    send(reader, { type: "text-delta", seq: 2, text: "skipped one" });
    expect((await reader.next()).type).toBe("stream-start");
    const failure = await reader.next();
    expect(failure).toMatchObject({ type: "error", error: { code: "upstream_error", retryable: true } });
  });

  it("gives up on a silent connector, but heartbeats keep it alive", async () => {
    const reader = new PartReader(connection, 300);
    const startedAt = performance.now();
    let beatsSent = 0;
    const beats = setInterval(() => send(reader, { type: "heartbeat", seq: beatsSent++ }), 100);
    await new Promise((resolve) => setTimeout(resolve, 700));
    clearInterval(beats);
    const failure = await reader.next();
    expect(failure).toMatchObject({ type: "error", error: { code: "upstream_timeout" } });
    expect(performance.now() - startedAt).toBeGreaterThan(750);
  });

  it("rejects a malformed part", async () => {
    const reader = new PartReader(connection, 5_000);
    connection.publish(reader.inbox, "not json");
    expect(await reader.next()).toMatchObject({ type: "error" });
  });
});
