import { Agent, request } from "undici";
import type { LoadTarget } from "./non-streaming-load.js";

/** What one streamed completion looked like from the client, on the clock of `performance.now()`. */
export interface StreamRecord {
  status: number | undefined;
  startedAt: number;
  /** When the first chunk with non-empty content arrived. */
  firstTokenAt: number | undefined;
  /** Gaps between data chunks longer than the upstream's pacing plus the stall threshold. */
  stalls: number;
  /** Longest gap between two data chunks after the first token, milliseconds. */
  longestGapMs: number;
  /** True when the stream ended with `data: [DONE]`. */
  completed: boolean;
  failure: string | undefined;
}

/** How a client judges one stream. */
export interface StreamExpectation {
  /** The upstream's pause between content chunks. */
  intervalMs: number;
  /** A gap longer than `intervalMs + stallThresholdMs` is a stall. */
  stallThresholdMs: number;
  /** A stream still open after this long is aborted and counted as failed. */
  timeoutMs: number;
}

/** Content that is not empty, e.g. `"content":"word0 "`; the role chunk's `"content":""` does not count. */
const nonEmptyContent = /"content":"[^"]/;

/**
 * Sends one streamed chat completion and reads it as a strict client would, timing the first token and
 * every gap between data chunks. Keep-alive comments (`: …`) are not data and do not end a gap.
 */
export async function readOneStream(agent: Agent, target: LoadTarget, expectation: StreamExpectation): Promise<StreamRecord> {
  const record: StreamRecord = { status: undefined, startedAt: performance.now(), firstTokenAt: undefined, stalls: 0, longestGapMs: 0, completed: false, failure: undefined };
  const stallAfterMs = expectation.intervalMs + expectation.stallThresholdMs;
  try {
    const response = await request(target.url, {
      method: "POST",
      headers: target.headers,
      body: target.body,
      dispatcher: agent,
      signal: AbortSignal.timeout(expectation.timeoutMs),
    });
    record.status = response.statusCode;
    if (response.statusCode !== 200) {
      await response.body.text();
      return record;
    }
    let lastDataAt: number | undefined;
    // A pattern may straddle two reads; the end of the previous read is searched again.
    let carried = "";
    for await (const chunk of response.body) {
      const now = performance.now();
      const text = carried + (chunk as Buffer).toString("utf8");
      carried = text.slice(-32);
      if (!text.includes("data:")) continue;
      if (record.firstTokenAt === undefined) {
        if (nonEmptyContent.test(text)) record.firstTokenAt = now;
      } else if (lastDataAt !== undefined) {
        const gap = now - lastDataAt;
        record.longestGapMs = Math.max(record.longestGapMs, gap);
        if (gap > stallAfterMs) record.stalls += 1;
      }
      lastDataAt = now;
      if (text.includes("data: [DONE]")) record.completed = true;
    }
  } catch (error) {
    record.failure = error instanceof Error ? error.message : String(error);
  }
  return record;
}

/** `concurrency` clients, each opening the next stream when its last one has ended, for `seconds`. */
export async function runStreamLoop(target: LoadTarget, options: { concurrency: number; seconds: number; expectation: StreamExpectation }): Promise<StreamRecord[]> {
  const agent = new Agent({ connections: null, keepAliveTimeout: 10_000 });
  const records: StreamRecord[] = [];
  const endAt = performance.now() + options.seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        do records.push(await readOneStream(agent, target, options.expectation));
        while (performance.now() < endAt);
      }),
    );
  } finally {
    await agent.close();
  }
  return records;
}

/**
 * Opens `count` streams spread evenly over `rampMs` (a thundering herd of new connections is another
 * test) and waits until every one has ended; with streams that last longer than the ramp, all of them
 * are open together for a while.
 */
export async function holdStreams(target: LoadTarget, options: { count: number; rampMs: number; expectation: StreamExpectation }): Promise<StreamRecord[]> {
  const agent = new Agent({ connections: null, keepAliveTimeout: 10_000 });
  try {
    return await Promise.all(
      Array.from({ length: options.count }, async (_, index) => {
        await new Promise((resolve) => setTimeout(resolve, (options.rampMs * index) / options.count));
        return readOneStream(agent, target, options.expectation);
      }),
    );
  } finally {
    await agent.close();
  }
}
