import { gatewayError, gatewayErrorCodes, type ChatRequest } from "@switchboard/contracts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeConnectorBus } from "./fake-connector-bus.test-support.js";
import { routeCandidate } from "./route-candidate.test-support.js";
import { runAttempt } from "./run-attempt.js";

const candidate = routeCandidate("model@provider", { maxCompletionTokens: 300 });
const request = { model: "model", messages: [{ role: "user", content: "hi" }], stream: true } as ChatRequest;
const generationId = "gen-00000000-0000-4000-8000-000000000001";

/** A bus whose connector answers each generate message with `answer(inbox)`. */
function busAnswering(answer: (bus: FakeConnectorBus, inbox: string) => void): FakeConnectorBus {
  const bus = new FakeConnectorBus();
  bus.onPublish = (message) => {
    if (message.subject === bus.subjects.connectorGenerate && message.reply) answer(bus, message.reply);
  };
  return bus;
}

function attempt(bus: FakeConnectorBus, options: { requestTimeoutMs?: number; connected?: boolean; stop?: AbortSignal } = {}) {
  return runAttempt(
    { clients: bus.clients(options), generationId, candidate, request, idleTimeoutMs: 30_000 },
    options.stop ?? new AbortController().signal,
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe("runAttempt", () => {
  it("publishes the generate message with its inbox as reply subject, and waits for no reply", async () => {
    const bus = new FakeConnectorBus();
    void attempt(bus, { requestTimeoutMs: 50 });
    const [published] = bus.publishedTo(bus.subjects.connectorGenerate);
    expect(published?.reply).toBeDefined();
    expect(JSON.parse(published!.payload)).toEqual({
      generationId,
      endpointId: "model@provider",
      body: request,
      stream: true,
      maxCompletionTokens: 300,
      replyTo: published!.reply,
    });
  });

  it("returns at the first output, with the start parts before it, the rest left to the reader", async () => {
    const bus = busAnswering((bus, inbox) => {
      bus.sendParts(inbox, { type: "stream-start", seq: 0, upstreamId: null });
      bus.sendParts(inbox, [
        { type: "stream-start", seq: 1, upstreamId: "up-1" },
        { type: "text-delta", seq: 2, text: "Hello" },
        { type: "stream-end", seq: 3 },
      ]);
    });
    const outcome = await attempt(bus);
    expect(outcome.type).toBe("output");
    if (outcome.type !== "output") return;
    expect(outcome.parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta"]);
    expect(await outcome.reader.next()).toMatchObject({ type: "stream-end" });
  });

  it("gives up on a connector that never takes the request after the service request timeout, stops it, and allows a fallback", async () => {
    vi.useFakeTimers();
    const bus = new FakeConnectorBus();
    const outcome = attempt(bus, { requestTimeoutMs: 2_000 });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(bus.publishedTo(bus.subjects.connectorCancel(generationId))).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toEqual({
      type: "failed",
      fallBack: true,
      error: expect.objectContaining({ code: "service_unavailable", status: 503, retryable: true, message: expect.stringMatching(/did not answer in time/) }),
    });
    // It may have taken the request even though nothing came back: stop it.
    expect(bus.publishedTo(bus.subjects.connectorCancel(generationId))).toHaveLength(1);
    expect(bus.inbox.size).toBe(0);
  });

  it("fails at once, allowing a fallback, when NATS says no connector is running", async () => {
    const bus = busAnswering((bus, inbox) => bus.sendNoResponders(inbox));
    expect(await attempt(bus, { requestTimeoutMs: 60_000 })).toEqual({
      type: "failed",
      fallBack: true,
      error: expect.objectContaining({ code: "service_unavailable", status: 503, message: expect.stringMatching(/is not running/) }),
    });
  });

  it("tries the next candidate after a connector's refusal, even one it calls final (its catalog may lag ours)", async () => {
    const refusal = gatewayError(gatewayErrorCodes.invalidRequest, 400, "Endpoint not in the catalog", { retryable: false });
    const bus = busAnswering((bus, inbox) => bus.sendErrorReply(inbox, refusal));
    expect(await attempt(bus)).toEqual({ type: "failed", fallBack: true, error: refusal });
  });

  it("follows the connector's verdict on its own error part", async () => {
    const providerRefusal = gatewayError(gatewayErrorCodes.invalidRequest, 400, "Provider returned error", { retryable: false });
    const bus = busAnswering((bus, inbox) => {
      bus.sendParts(inbox, { type: "stream-start", seq: 0, upstreamId: null });
      bus.sendParts(inbox, { type: "error", seq: 1, error: providerRefusal, beforeFirstToken: true });
    });
    expect(await attempt(bus)).toEqual({ type: "failed", fallBack: false, error: providerRefusal });
    // The connector ended the call itself: nothing to cancel.
    expect(bus.publishedTo(bus.subjects.connectorCancel(generationId))).toHaveLength(0);
  });

  it("stops waiting when the signal fires, closing its reader", async () => {
    const bus = new FakeConnectorBus();
    const stop = new AbortController();
    const outcome = attempt(bus, { stop: stop.signal });
    stop.abort();
    expect(await outcome).toEqual({ type: "stopped" });
    expect(bus.inbox.size).toBe(0);
  });

  it("sends nothing while NATS is known to be down", async () => {
    const bus = new FakeConnectorBus();
    expect(await attempt(bus, { connected: false })).toMatchObject({ type: "failed", fallBack: true, error: { status: 503 } });
    expect(bus.published).toEqual([]);
  });
});
