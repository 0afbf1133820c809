import type { Msg } from "@nats-io/transport-node";
import { describe, expect, it, vi } from "vitest";
import { PartInbox, type InboxRecipient } from "./part-inbox.js";

/** A connection that records subscriptions and lets the test deliver to the last one. */
function fakeConnection() {
  const subscribed: string[] = [];
  let callback: ((error: Error | null, message: Msg) => void) | undefined;
  return {
    subscribed,
    connection: {
      subscribe: (subject: string, options: { callback: (error: Error | null, message: Msg) => void }) => {
        subscribed.push(subject);
        callback = options.callback;
        return { unsubscribe: () => undefined } as never;
      },
    },
    deliver: (subject: string) => callback?.(null, { subject } as Msg),
    failSubscription: (error: Error) => callback?.(error, {} as Msg),
  };
}

function recipient() {
  return { receive: vi.fn<InboxRecipient["receive"]>(), fail: vi.fn<InboxRecipient["fail"]>() };
}

describe("PartInbox", () => {
  it("serves any number of attempts from one wildcard subscription, each under a subject of its own", () => {
    const nats = fakeConnection();
    const inbox = new PartInbox(nats.connection);
    expect(nats.subscribed).toEqual([]);
    const subjects = Array.from({ length: 1_000 }, () => inbox.open(recipient()));
    expect(nats.subscribed).toHaveLength(1);
    expect(nats.subscribed[0]).toMatch(/^_INBOX\.[A-Za-z0-9]+\.\*$/);
    const prefix = nats.subscribed[0]!.slice(0, -1);
    expect(subjects.every((subject) => subject.startsWith(prefix) && !subject.slice(prefix.length).includes("."))).toBe(true);
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(inbox.size).toBe(1_000);
  });

  it("hands each message, unparsed, to the attempt it was sent to, and to nobody once that attempt closed", () => {
    const nats = fakeConnection();
    const inbox = new PartInbox(nats.connection);
    const first = recipient();
    const second = recipient();
    const firstSubject = inbox.open(first);
    const secondSubject = inbox.open(second);
    nats.deliver(secondSubject);
    expect(second.receive).toHaveBeenCalledWith({ subject: secondSubject });
    expect(first.receive).not.toHaveBeenCalled();
    inbox.close(firstSubject);
    nats.deliver(firstSubject);
    expect(first.receive).not.toHaveBeenCalled();
    expect(inbox.size).toBe(1);
  });

  it("never gives a later attempt the subject of an earlier one", () => {
    const inbox = new PartInbox(fakeConnection().connection);
    const earlier = inbox.open(recipient());
    inbox.close(earlier);
    expect(inbox.open(recipient())).not.toBe(earlier);
  });

  it("fails every open attempt when the subscription fails, and subscribes again for the next", () => {
    const nats = fakeConnection();
    const inbox = new PartInbox(nats.connection);
    const attempts = [recipient(), recipient()];
    for (const attempt of attempts) inbox.open(attempt);
    const failure = new Error("permissions violation");
    nats.failSubscription(failure);
    for (const attempt of attempts) expect(attempt.fail).toHaveBeenCalledWith(failure);
    expect(inbox.size).toBe(0);
    inbox.open(recipient());
    expect(nats.subscribed).toHaveLength(2);
  });
});
