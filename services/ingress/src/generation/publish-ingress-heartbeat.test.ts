import { createSubjects, ingressHeartbeatSchema } from "@switchboard/contracts";
import { describe, expect, it, vi } from "vitest";
import { publishIngressHeartbeat } from "./publish-ingress-heartbeat.js";

describe("publishIngressHeartbeat", () => {
  it("beats at once and then every interval, naming the replica, until stopped", () => {
    vi.useFakeTimers();
    try {
      const subjects = createSubjects("hb");
      const published: Array<{ subject: string; payload: unknown }> = [];
      const connection = { isClosed: () => false, publish: (subject: string, payload?: unknown) => void published.push({ subject, payload }) };
      const stop = publishIngressHeartbeat({ connection: connection as never, subjects, ingressId: "ingress-a", intervalMs: 1_000 });
      expect(published).toHaveLength(1);
      vi.advanceTimersByTime(3_000);
      expect(published).toHaveLength(4);
      stop();
      vi.advanceTimersByTime(3_000);
      expect(published).toHaveLength(4);
      for (const beat of published) {
        expect(beat.subject).toBe(subjects.ingressHeartbeat);
        expect(ingressHeartbeatSchema.parse(JSON.parse(beat.payload as string))).toEqual({ ingressId: "ingress-a" });
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it("skips beats while the connection is closed and survives a publish that throws", () => {
    vi.useFakeTimers();
    try {
      let closed = true;
      const publish = vi.fn(() => {
        throw new Error("closing");
      });
      const stop = publishIngressHeartbeat({ connection: { isClosed: () => closed, publish }, subjects: createSubjects("hb"), ingressId: "ingress-a", intervalMs: 100 });
      expect(publish).not.toHaveBeenCalled();
      closed = false;
      vi.advanceTimersByTime(100);
      expect(publish).toHaveBeenCalledTimes(1);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
