import { createSubjects } from "@switchboard/contracts";
import { describe, expect, it, vi } from "vitest";
import { followKeyChanges, type FollowKeyChangesOptions } from "./follow-key-changes.js";

const keyHash = "c".repeat(64);

/** A NATS connection and ConnectionState reduced to what followKeyChanges uses. */
function setUp() {
  const subjects = createSubjects("unit");
  let deliver: (error: Error | null, data: unknown) => void = () => undefined;
  const unsubscribe = vi.fn();
  const reconnectListeners = new Set<() => void>();
  const authenticator = { forget: vi.fn(), forgetAll: vi.fn() };
  const options: FollowKeyChangesOptions = {
    connection: {
      subscribe: ((subject: string, subscriptionOptions: { callback: (error: Error | null, message: { data: Uint8Array }) => void }) => {
        expect(subject).toBe(subjects.keyChanged);
        deliver = (error, data) => subscriptionOptions.callback(error, { data: new TextEncoder().encode(typeof data === "string" ? data : JSON.stringify(data)) });
        return { unsubscribe };
      }) as unknown as FollowKeyChangesOptions["connection"]["subscribe"],
    },
    state: {
      onReconnect: (listener) => {
        reconnectListeners.add(listener);
        return () => reconnectListeners.delete(listener);
      },
    },
    subjects,
    authenticator,
    logger: { warn: vi.fn() } as unknown as FollowKeyChangesOptions["logger"],
  };
  const stop = followKeyChanges(options);
  return {
    stop,
    authenticator,
    unsubscribe,
    deliver: (data: unknown) => deliver(null, data),
    fail: (error: Error) => deliver(error, ""),
    reconnect: () => [...reconnectListeners].forEach((listener) => listener()),
    reconnectListeners,
  };
}

describe("followKeyChanges", () => {
  it("forgets the key an announcement names", () => {
    const follower = setUp();
    follower.deliver({ keyHash, change: "disabled" });
    expect(follower.authenticator.forget).toHaveBeenCalledWith(keyHash);
    expect(follower.authenticator.forgetAll).not.toHaveBeenCalled();
  });

  it("forgets every key after a reconnect, when announcements may have been missed", () => {
    const follower = setUp();
    follower.reconnect();
    expect(follower.authenticator.forgetAll).toHaveBeenCalledTimes(1);
  });

  it("forgets every key when an announcement does not parse or the subscription fails", () => {
    const follower = setUp();
    follower.deliver({ keyHash, change: "teleported" });
    follower.deliver("not json");
    follower.fail(new Error("permissions violation"));
    expect(follower.authenticator.forget).not.toHaveBeenCalled();
    expect(follower.authenticator.forgetAll).toHaveBeenCalledTimes(3);
  });

  it("stops listening when stopped", () => {
    const follower = setUp();
    follower.stop();
    expect(follower.unsubscribe).toHaveBeenCalledTimes(1);
    expect(follower.reconnectListeners.size).toBe(0);
  });
});
