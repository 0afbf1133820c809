import { headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartInbox } from "../../../services/ingress/src/generation/part-inbox.js";
import { PartReader } from "../../../services/ingress/src/generation/part-reader.js";
import { connectTestNats } from "../../support/test-nats.js";

/** The ingress side of the connector → ingress part stream, over the real NATS server. */
describe("PartReader", () => {
  let connection: NatsConnection;
  let inbox: PartInbox;

  beforeAll(async () => {
    connection = await connectTestNats();
    inbox = new PartInbox(connection);
  });

  afterAll(async () => {
    await connection.close();
  });

  const send = (reader: PartReader, part: object) => connection.publish(reader.inbox, JSON.stringify(part));

  it("yields parts in order, skips heartbeats, and stops after the terminal part", async () => {
    const reader = new PartReader(inbox, { idleTimeoutMs: 5_000 });
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
    const whole = new PartReader(inbox, { idleTimeoutMs: 5_000 });
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

    const gapped = new PartReader(inbox, { idleTimeoutMs: 5_000 });
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
    const reader = new PartReader(inbox, { idleTimeoutMs: 5_000 });
    send(reader, { type: "stream-start", seq: 0, upstreamId: null });
    send(reader, { type: "text-delta", seq: 2, text: "skipped one" });
    expect((await reader.next()).type).toBe("stream-start");
    const failure = await reader.next();
    expect(failure).toMatchObject({ type: "error", error: { code: "service_unavailable", status: 503, retryable: true } });
  });

  it("gives up on a silent connector, but heartbeats keep it alive", async () => {
    const reader = new PartReader(inbox, { idleTimeoutMs: 300 });
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
    const reader = new PartReader(inbox, { idleTimeoutMs: 5_000 });
    connection.publish(reader.inbox, "not json");
    expect(await reader.next()).toMatchObject({ type: "error" });
  });

  /** The generate message is sent with the reader's subject as its reply subject (run-attempt.ts). */
  describe("before the connector took the request", () => {
    it("reads NATS's no-responders status as a retryable 503 at once", async () => {
      const reader = new PartReader(inbox, { idleTimeoutMs: 5_000, acceptTimeoutMs: 2_000 });
      const startedAt = performance.now();
      connection.publish(`nobody-listens.${reader.inbox.replaceAll(".", "-")}`, "{}", { reply: reader.inbox });
      expect(await reader.next()).toMatchObject({ type: "error", seq: -1, error: { code: "service_unavailable", status: 503, retryable: true } });
      expect(performance.now() - startedAt).toBeLessThan(1_000);
    });

    it("reads a connector's error reply as the error it carries", async () => {
      const reader = new PartReader(inbox, { idleTimeoutMs: 5_000, acceptTimeoutMs: 2_000 });
      const subject = `refuses.${reader.inbox.replaceAll(".", "-")}`;
      const refusing = connection.subscribe(subject, {
        callback: (_error, message) => {
          const headers = natsHeaders();
          headers.set("Nats-Service-Error", "unknown endpoint");
          headers.set("Nats-Service-Error-Code", "400");
          message.respond(JSON.stringify({ code: "invalid_request", status: 400, message: "unknown endpoint", retryable: false }), { headers });
        },
      });
      await connection.flush();
      connection.publish(subject, "{}", { reply: reader.inbox });
      expect(await reader.next()).toMatchObject({ type: "error", seq: -1, error: { code: "invalid_request", status: 400, retryable: false } });
      refusing.unsubscribe();
    });

    it("gives up on a connector that does not take the request within the acceptance timeout, not the idle timeout", async () => {
      const reader = new PartReader(inbox, { idleTimeoutMs: 10_000, acceptTimeoutMs: 200 });
      const startedAt = performance.now();
      expect(await reader.next()).toMatchObject({ type: "error", seq: -1, error: { code: "service_unavailable", status: 503, retryable: true } });
      expect(performance.now() - startedAt).toBeLessThan(1_000);
    });

    it("keeps a connector that took the request to the idle timeout", async () => {
      const reader = new PartReader(inbox, { idleTimeoutMs: 600, acceptTimeoutMs: 200 });
      const startedAt = performance.now();
      send(reader, { type: "stream-start", seq: 0, upstreamId: null });
      expect((await reader.next()).type).toBe("stream-start");
      expect(await reader.next()).toMatchObject({ type: "error", error: { code: "upstream_timeout" } });
      expect(performance.now() - startedAt).toBeGreaterThan(550);
    });
  });

  it("reads every attempt's parts through one subscription, each reader only its own", async () => {
    const ownInbox = new PartInbox(connection);
    const before = subscriptionCount(connection);
    const readers = Array.from({ length: 200 }, () => new PartReader(ownInbox, { idleTimeoutMs: 5_000 }));
    expect(subscriptionCount(connection) - before).toBe(1);
    readers.forEach((reader, index) => {
      send(reader, { type: "stream-start", seq: 0, upstreamId: `upstream-${index}` });
      send(reader, { type: "stream-end", seq: 1 });
    });
    for (const [index, reader] of readers.entries()) {
      expect(await reader.next()).toMatchObject({ type: "stream-start", upstreamId: `upstream-${index}` });
      expect((await reader.next()).type).toBe("stream-end");
    }
    // A terminal part closes the reader, and closing takes it off the inbox.
    expect(ownInbox.size).toBe(0);
    expect(subscriptionCount(connection) - before).toBe(1);
  });

  /** What ingress does when parts may have been lost to a NATS outage: ask the connector, then decide. */
  describe("after lost parts", () => {
    const progress = (nextSeq: number, outputBytes = 0) => ({ nextSeq, outputBytes, usage: null, ended: false });

    /** A reader whose reconnect listener the test fires, as the connection state does after an outage. */
    function readerWithProbe(answer: () => Promise<ReturnType<typeof progress> | null>) {
      let reconnected: (() => void) | undefined;
      const reader = new PartReader(inbox, {
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

/** Subscriptions the client holds on the connection (nats.js keeps them in its protocol handler). */
function subscriptionCount(connection: NatsConnection): number {
  return (connection as unknown as { protocol: { subscriptions: { size(): number } } }).protocol.subscriptions.size();
}
