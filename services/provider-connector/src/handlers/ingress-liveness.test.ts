import { afterEach, describe, expect, it, vi } from "vitest";
import { IngressLiveness } from "./ingress-liveness.js";

describe("IngressLiveness", () => {
  let now = 0;
  const liveness = new IngressLiveness({ silenceMs: 3_000, checkIntervalMs: 60_000, now: () => now });
  afterEach(() => {
    liveness.stop();
    now = 0;
  });

  it("tells an attempt once when its ingress has been silent for the silence period, counting from its last heartbeat", () => {
    const onSilent = vi.fn();
    liveness.heard("ingress-a");
    liveness.watch("ingress-a", onSilent);
    now = 2_000;
    liveness.heard("ingress-a");
    now = 4_999;
    liveness.check();
    expect(onSilent).not.toHaveBeenCalled();
    now = 5_000;
    liveness.check();
    now = 9_000;
    liveness.check();
    expect(onSilent).toHaveBeenCalledTimes(1);
    expect(liveness.watching).toBe(0);
  });

  it("gives an ingress never heard from the whole silence period from the attempt's start (a connector that just started)", () => {
    now = 10_000;
    const onSilent = vi.fn();
    liveness.watch("ingress-unknown", onSilent);
    now = 12_999;
    liveness.check();
    expect(onSilent).not.toHaveBeenCalled();
    now = 13_000;
    liveness.check();
    expect(onSilent).toHaveBeenCalledTimes(1);
  });

  it("judges each attempt by its own ingress, and forgets an attempt that ended", () => {
    const ofA = vi.fn();
    const ofB = vi.fn();
    const ended = vi.fn();
    liveness.watch("ingress-a", ofA);
    liveness.watch("ingress-b", ofB);
    const stopWatching = liveness.watch("ingress-b", ended);
    stopWatching();
    now = 2_500;
    liveness.heard("ingress-a");
    now = 3_500;
    liveness.check();
    expect(ofA).not.toHaveBeenCalled();
    expect(ofB).toHaveBeenCalledTimes(1);
    expect(ended).not.toHaveBeenCalled();
  });

  it("judges nothing while its own NATS connection is down, and gives every replica a fresh silence period after", () => {
    let connected = true;
    const judged = new IngressLiveness({ silenceMs: 3_000, checkIntervalMs: 60_000, now: () => now, isConnected: () => connected });
    const onSilent = vi.fn();
    judged.heard("ingress-a");
    judged.watch("ingress-a", onSilent);
    connected = false;
    now = 10_000;
    judged.check();
    expect(onSilent).not.toHaveBeenCalled();
    connected = true;
    judged.check();
    now = 12_999;
    judged.check();
    expect(onSilent).not.toHaveBeenCalled();
    now = 13_000;
    judged.check();
    expect(onSilent).toHaveBeenCalledTimes(1);
    judged.stop();
  });

  it("checks on its own timer", async () => {
    vi.useFakeTimers();
    try {
      let clock = 0;
      const timed = new IngressLiveness({ silenceMs: 1_000, now: () => clock });
      const onSilent = vi.fn();
      timed.watch("ingress-a", onSilent);
      clock = 1_000;
      await vi.advanceTimersByTimeAsync(250);
      expect(onSilent).toHaveBeenCalledTimes(1);
      timed.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
