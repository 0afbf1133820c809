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
    const reader = new PartReader(connection, { idleTimeoutMs: 5_000 });
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

  it("takes a whole answer sent as one message of consecutive parts, and a gap inside it as a loss", async () => {
    const whole = new PartReader(connection, { idleTimeoutMs: 5_000 });
    send(whole, { type: "heartbeat", seq: 0 });
    connection.publish(
      whole.inbox,
      JSON.stringify([
        { type: "stream-start", seq: 1, upstreamId: null },
        { type: "text-delta", seq: 2, text: "all at once" },
        { type: "stream-end", seq: 3 },
      ]),
    );
    expect([(await whole.next()).type, (await whole.next()).type, (await whole.next()).type]).toEqual(["stream-start", "text-delta", "stream-end"]);

    const gapped = new PartReader(connection, { idleTimeoutMs: 5_000 });
    connection.publish(
      gapped.inbox,
      JSON.stringify([
        { type: "stream-start", seq: 0, upstreamId: null },
        { type: "text-delta", seq: 2, text: "one was skipped" },
      ]),
    );
    expect((await gapped.next()).type).toBe("stream-start");
    expect(await gapped.next()).toMatchObject({ type: "error", error: { code: "service_unavailable" } });
  });

  it("turns a gap in sequence numbers into an error instead of a truncated answer", async () => {
    const reader = new PartReader(connection, { idleTimeoutMs: 5_000 });
    send(reader, { type: "stream-start", seq: 0, upstreamId: null });
    send(reader, { type: "text-delta", seq: 2, text: "skipped one" });
    expect((await reader.next()).type).toBe("stream-start");
    const failure = await reader.next();
    expect(failure).toMatchObject({ type: "error", error: { code: "service_unavailable", status: 503, retryable: true } });
  });

  it("gives up on a silent connector, but heartbeats keep it alive", async () => {
    const reader = new PartReader(connection, { idleTimeoutMs: 300 });
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
    const reader = new PartReader(connection, { idleTimeoutMs: 5_000 });
    connection.publish(reader.inbox, "not json");
    expect(await reader.next()).toMatchObject({ type: "error" });
  });

  /** What ingress does when parts may have been lost to a NATS outage: ask the connector, then decide. */
  describe("after lost parts", () => {
    const progress = (nextSeq: number, outputBytes = 0) => ({ nextSeq, outputBytes, usage: null, ended: false });

    /** A reader whose reconnect listener the test fires, as the connection state does after an outage. */
    function readerWithProbe(answer: () => Promise<ReturnType<typeof progress> | null>) {
      let reconnected: (() => void) | undefined;
      const reader = new PartReader(connection, {
        idleTimeoutMs: 30_000,
        probeProgress: answer,
        onReconnect: (listener) => {
          reconnected = listener;
          return () => (reconnected = undefined);
        },
      });
      return { reader, reconnect: () => reconnected?.() };
    }

    it("ends at once after a reconnect when the connector published parts that never arrived, keeping its count", async () => {
      const { reader, reconnect } = readerWithProbe(async () => progress(4, 120));
      send(reader, { type: "stream-start", seq: 0, upstreamId: null });
      send(reader, { type: "text-delta", seq: 1, text: "first" });
      expect((await reader.next()).type).toBe("stream-start");
      expect((await reader.next()).type).toBe("text-delta");
      const startedAt = performance.now();
      reconnect();
      const failure = await reader.next();
      expect(failure).toMatchObject({ type: "error", error: { code: "service_unavailable", status: 503, retryable: true } });
      expect(performance.now() - startedAt).toBeLessThan(500);
      expect(reader.connectorProgress).toMatchObject({ nextSeq: 4, outputBytes: 120 });
    });

    it("goes on after a reconnect when nothing was lost", async () => {
      const { reader, reconnect } = readerWithProbe(async () => progress(1));
      send(reader, { type: "stream-start", seq: 0, upstreamId: null });
      expect((await reader.next()).type).toBe("stream-start");
      reconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
      send(reader, { type: "text-delta", seq: 1, text: "still here" });
      expect(await reader.next()).toMatchObject({ type: "text-delta", text: "still here" });
      reader.close();
    });

    it("ends after a reconnect when no connector knows the attempt any more", async () => {
      const { reader, reconnect } = readerWithProbe(async () => null);
      send(reader, { type: "stream-start", seq: 0, upstreamId: null });
      expect((await reader.next()).type).toBe("stream-start");
      reconnect();
      expect(await reader.next()).toMatchObject({ type: "error", error: { code: "service_unavailable" } });
      expect(reader.connectorProgress).toBeNull();
    });

    it("asks the connector what it produced when a part is skipped, then ends", async () => {
      const { reader } = readerWithProbe(async () => progress(3, 64));
      send(reader, { type: "stream-start", seq: 0, upstreamId: null });
      send(reader, { type: "text-delta", seq: 2, text: "after a lost part" });
      expect((await reader.next()).type).toBe("stream-start");
      expect(await reader.next()).toMatchObject({ type: "error", error: { code: "service_unavailable" } });
      expect(reader.connectorProgress).toMatchObject({ outputBytes: 64 });
    });
  });
});
