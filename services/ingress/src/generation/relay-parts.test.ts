import { gatewayError, gatewayErrorCodes, type StreamPart } from "@switchboard/contracts";
import { describe, expect, it, vi } from "vitest";
import { FakeConnectorBus } from "./fake-connector-bus.test-support.js";
import { PartReader } from "./part-reader.js";
import { relayParts } from "./relay-parts.js";

const deadlineFailure = gatewayError(gatewayErrorCodes.upstreamTimeout, 504, "too long", { retryable: false });

/** A reader whose connector already took the request and produced its first output, read as an attempt reads it. */
async function started() {
  const bus = new FakeConnectorBus();
  const reader = new PartReader(bus.inbox, { idleTimeoutMs: 30_000 });
  bus.sendParts(reader.inbox, { type: "stream-start", seq: 0, upstreamId: null });
  bus.sendParts(reader.inbox, { type: "text-delta", seq: 1, text: "Hel" });
  const parts: StreamPart[] = [await reader.next(), await reader.next()];
  const clientGone = new AbortController();
  const deadline = new AbortController();
  const onClientGone = vi.fn();
  const stopUpstream = vi.fn();
  const relayed = relayParts({
    reader,
    parts,
    clientGone: clientGone.signal,
    deadline: deadline.signal,
    deadlineError: () => deadlineFailure,
    onClientGone,
    stopUpstream,
  });
  const send = (part: object) => bus.sendParts(reader.inbox, part);
  return { bus, reader, relayed, send, clientGone, deadline, onClientGone, stopUpstream };
}

async function collect(parts: AsyncGenerator<StreamPart>): Promise<StreamPart[]> {
  const all: StreamPart[] = [];
  for await (const part of parts) all.push(part);
  return all;
}

describe("relayParts", () => {
  it("relays what was read, then the reader's parts, up to the terminal part", async () => {
    const { relayed, send, stopUpstream } = await started();
    send({ type: "text-delta", seq: 2, text: "lo" });
    send({ type: "stream-end", seq: 3 });
    expect((await collect(relayed)).map((part) => part.type)).toEqual(["stream-start", "text-delta", "text-delta", "stream-end"]);
    expect(stopUpstream).not.toHaveBeenCalled();
  });

  it("marks a connector's error as after the first token, and leaves stopping to the connector", async () => {
    const { relayed, send, stopUpstream } = await started();
    send({ type: "error", seq: 2, error: { code: "upstream_error", status: 502, message: "reset", retryable: true }, beforeFirstToken: true });
    expect((await collect(relayed)).at(-1)).toMatchObject({ type: "error", seq: 2, beforeFirstToken: false });
    expect(stopUpstream).not.toHaveBeenCalled();
  });

  it("ends with the deadline's error and stops the upstream call when the deadline fires", async () => {
    const { relayed, deadline, stopUpstream, bus } = await started();
    const all = collect(relayed);
    await new Promise((resolve) => setTimeout(resolve, 5));
    deadline.abort();
    expect((await all).at(-1)).toEqual({ type: "error", seq: -1, error: deadlineFailure, beforeFirstToken: false });
    expect(stopUpstream).toHaveBeenCalledTimes(1);
    expect(bus.inbox.size).toBe(0);
  });

  it("stops without a terminal part when the client leaves, handing over what arrived unrelayed", async () => {
    const { relayed, send, clientGone, onClientGone, stopUpstream } = await started();
    expect((await relayed.next()).value).toMatchObject({ type: "stream-start" });
    send({ type: "usage", seq: 2, usage: { promptTokens: 1, completionTokens: 2, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } });
    clientGone.abort();
    expect(await relayed.next()).toEqual({ done: true, value: undefined });
    expect(onClientGone).toHaveBeenCalledWith([expect.objectContaining({ type: "text-delta" }), expect.objectContaining({ type: "usage" })]);
    expect(stopUpstream).not.toHaveBeenCalled();
  });

  it("stops the upstream call when the consumer leaves early", async () => {
    const { relayed, stopUpstream, bus } = await started();
    for await (const part of relayed) if (part.type === "text-delta") break;
    expect(stopUpstream).toHaveBeenCalledTimes(1);
    expect(bus.inbox.size).toBe(0);
  });
});
