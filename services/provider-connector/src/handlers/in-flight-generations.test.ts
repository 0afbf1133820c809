import { gatewayErrorCodes } from "@switchboard/contracts";
import { describe, expect, it, vi } from "vitest";
import { InFlightGenerations } from "./in-flight-generations.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

describe("InFlightGenerations", () => {
  it("registers at once, runs the work on a later turn and forgets the generation when done", async () => {
    const inFlight = new InFlightGenerations(() => undefined);
    const done = deferred();
    const work = vi.fn(() => done.promise);
    inFlight.start("gen-1", work);
    expect(work).not.toHaveBeenCalled();
    expect(inFlight.size).toBe(1);
    await vi.waitFor(() => expect(work).toHaveBeenCalledOnce());
    done.resolve();
    expect(await inFlight.waitUntilIdle(1_000)).toBe(true);
    expect(inFlight.size).toBe(0);
    expect(inFlight.cancel("gen-1")).toBe(false);
  });

  it("aborts every running attempt of a cancelled generation, and only those", async () => {
    const inFlight = new InFlightGenerations(() => undefined);
    const signals: Record<string, AbortSignal[]> = { first: [], second: [] };
    const until = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
    inFlight.start("first", (signal) => (signals["first"]!.push(signal), until(signal)));
    inFlight.start("first", (signal) => (signals["first"]!.push(signal), until(signal)));
    inFlight.start("second", (signal) => (signals["second"]!.push(signal), until(signal)));
    await vi.waitFor(() => expect(inFlight.size).toBe(3));
    await vi.waitFor(() => expect(signals["second"]).toHaveLength(1));

    expect(inFlight.cancel("first")).toBe(true);
    expect(signals["first"]!.every((signal) => signal.aborted)).toBe(true);
    expect(signals["second"]![0]!.aborted).toBe(false);
    expect(await inFlight.waitUntilIdle(50)).toBe(false);

    inFlight.abortAllForShutdown();
    expect(await inFlight.waitUntilIdle(1_000)).toBe(true);
  });

  it("tells a client's cancel from an abort at shutdown", async () => {
    const inFlight = new InFlightGenerations(() => undefined);
    const signals = new Map<string, AbortSignal>();
    for (const generationId of ["cancelled", "outlived"]) {
      inFlight.start(generationId, (signal) => {
        signals.set(generationId, signal);
        return new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      });
    }
    await vi.waitFor(() => expect(signals.size).toBe(2));

    inFlight.cancel("cancelled");
    inFlight.abortAllForShutdown();
    expect(InFlightGenerations.errorForAbort(signals.get("cancelled")!)).toEqual({
      code: gatewayErrorCodes.cancelled,
      status: 499,
      message: "The generation was cancelled",
      retryable: false,
    });
    expect(InFlightGenerations.errorForAbort(signals.get("outlived")!)).toMatchObject({
      code: gatewayErrorCodes.serviceUnavailable,
      status: 503,
      retryable: true,
      message: expect.stringMatching(/shutting down.*retry/),
    });
    expect(await inFlight.waitUntilIdle(1_000)).toBe(true);
  });

  it("reports an abort it did not make as a cancel", () => {
    const controller = new AbortController();
    controller.abort();
    expect(InFlightGenerations.errorForAbort(controller.signal)).toMatchObject({ code: gatewayErrorCodes.cancelled, status: 499 });
  });

  it("hands a rejected work to the failure callback instead of an unhandled rejection", async () => {
    const onFailure = vi.fn();
    const inFlight = new InFlightGenerations(onFailure);
    inFlight.start("gen-bad", async () => {
      throw new Error("bug");
    });
    expect(await inFlight.waitUntilIdle(1_000)).toBe(true);
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ message: "bug" }), "gen-bad");
  });
});
