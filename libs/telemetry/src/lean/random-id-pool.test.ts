import { INVALID_SPANID, INVALID_TRACEID, isValidSpanId, isValidTraceId } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { RandomIdPool } from "./random-id-pool.js";

describe("RandomIdPool", () => {
  it("gives W3C trace ids of 32 and span ids of 16 lower-case hex digits, none repeated", () => {
    const pool = new RandomIdPool();
    const ids = new Set<string>();
    for (let index = 0; index < 5_000; index++) {
      const traceId = pool.generateTraceId();
      const spanId = pool.generateSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(isValidTraceId(traceId) && isValidSpanId(spanId)).toBe(true);
      ids.add(traceId).add(spanId);
    }
    // 5,000 of each through more than a dozen refills of 8 KiB.
    expect(ids.size).toBe(10_000);
  });

  it("cuts ids from the random bytes in order, drawing a new pool when the next id does not fit", () => {
    let draws = 0;
    // Each draw fills the pool with one byte value: 0x11 the first time, 0x22 the next.
    const pool = new RandomIdPool((bytes) => bytes.fill(++draws * 0x11), 24);
    expect(pool.generateTraceId()).toBe("11".repeat(16));
    expect(pool.generateSpanId()).toBe("11".repeat(8));
    expect(draws).toBe(1);
    expect(pool.generateSpanId()).toBe("22".repeat(8));
    expect(pool.generateTraceId()).toBe("22".repeat(16));
    // 8 + 16 of 24 bytes used: a trace id no longer fits, a span id would.
    expect(pool.generateTraceId()).toBe("33".repeat(16));
    expect(draws).toBe(3);
  });

  it("never gives the all-zero id W3C reserves for none: it draws again", () => {
    let draws = 0;
    const pool = new RandomIdPool((bytes) => bytes.fill(draws++ < 2 ? 0 : 0xab), 16);
    expect(pool.generateSpanId()).toBe("ab".repeat(8));
    expect(draws).toBe(3);
    let traceDraws = 0;
    const traces = new RandomIdPool((bytes) => bytes.fill(traceDraws++ === 0 ? 0 : 0x01), 16);
    const traceId = traces.generateTraceId();
    expect(traceId).not.toBe(INVALID_TRACEID);
    expect(traceId).toBe("01".repeat(16));
    expect(traceDraws).toBe(2);
    expect(INVALID_SPANID).toBe("0".repeat(16));
  });
});
