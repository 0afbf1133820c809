import { randomFillSync } from "node:crypto";
import { INVALID_SPANID, INVALID_TRACEID } from "@opentelemetry/api";
import type { IdGenerator } from "@opentelemetry/sdk-trace-node";

/**
 * Random trace and span ids (W3C trace context: 32 and 16 lower-case hex digits, never all zero), cut
 * from a pool of random text: `poolBytes` random bytes are drawn and hex-encoded at once, and each id is a
 * slice of that text, which V8 makes without copying.
 *
 * Why not the SDK's RandomIdGenerator: it hex-encodes every id on its own through `Buffer#toString`, and
 * the CPU profiles of a telemetry comparison's two stacks (issue 12, nothing sampled) found that the
 * largest single thing tracing added to ingress and to the provider connector: a fifth of ingress's
 * growth, half of the connector's. A span's ids keep their pool's text (16 KiB) alive while it lives.
 */
export class RandomIdPool implements IdGenerator {
  private hex = "";
  private offset = 0;

  constructor(
    private readonly fill: (bytes: Buffer) => void = randomFillSync,
    private readonly poolBytes = 8 * 1024,
  ) {}

  generateTraceId(): string {
    return this.take(32, INVALID_TRACEID);
  }

  generateSpanId(): string {
    return this.take(16, INVALID_SPANID);
  }

  private take(digits: number, invalid: string): string {
    for (;;) {
      if (this.offset + digits > this.hex.length) this.refill();
      const id = this.hex.slice(this.offset, this.offset + digits);
      this.offset += digits;
      // All zeros is W3C's "no id", dropped by every backend: one chance in 2^64, then draw again.
      if (id !== invalid) return id;
    }
  }

  private refill(): void {
    const bytes = Buffer.allocUnsafe(this.poolBytes);
    this.fill(bytes);
    this.hex = bytes.toString("hex");
    this.offset = 0;
  }
}
