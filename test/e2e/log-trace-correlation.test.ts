import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTracingSdk } from "../../libs/telemetry/src/start-tracing-sdk.js";
import type { Tracing } from "../../libs/telemetry/src/running-tracing.js";
import { attributeOf, startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from "../support/otlp-receiver.js";
import type { LogCapture } from "../support/silent-logger.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

interface LogLine {
  service?: string;
  msg: string;
  reqId?: string;
  generation_id?: string;
  trace_id?: string;
  span_id?: string;
  [field: string]: unknown;
}

const spanKindConsumer = 5;

/**
 * Issue 12's acceptance: "every log line of an e2e run carries trace_id and matches a span id in the
 * exported traces". All five services run in this process with tracing on (one SDK exporting OTLP
 * http/json to a receiver here, as tracing.test.ts) and every service's logger writing every line, down to
 * `trace`, into one capture; the access log is on.
 *
 * Which lines must carry a trace: a line is tied to a request, and so in scope, when it
 *   (a) names one of the test's generations in `generation_id` (the connector's attempt lines, billing's
 *       settlement, the access log of a completion, …), or
 *   (b) is ingress's line about one HTTP request (pino binds the request id, `reqId`, to those), the
 *       test's admin calls included.
 * In a run without failures of their own, metadata-logging and the router write no line per request at any
 * level, so the lines in scope come from ingress, the connector and billing (the test checks all three).
 * (Facts handled in batches are logged through their own span too; test/integration/messaging/
 * fact-batch-log-trace.test.ts covers batches of several, which two requests in a row rarely make.)
 * Such a line must carry a `trace_id` and a `span_id` naming a span exported in that trace, and a line of
 * (a) the trace of its own generation. Lines not tied to a request (start-up, the routing snapshot, timers
 * such as the expiry sweeper and the outbox relay) may have no trace; but any line that does carry a
 * `trace_id`, in scope or not, must match an exported span too. And every line names its `service`.
 */
describe("log lines carry the trace and span they were written in (issue 12)", () => {
  const capture: LogCapture = { lines: [] };
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let stack: TestStack;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    tracing = await startTracingSdk({ protocol: "http/json", url: receiver.tracesUrl, serviceName: "switchboard-e2e", serviceVersion: "test", serviceInstanceId: "e2e-logs", instrumentations: ["undici", "pg"] });
    // After the SDK, as with `node --import`: ingress registers its HTTP spans only when tracing is on.
    stack = await startStack({ logCapture: capture, ingress: { accessLog: true }, health: { outcomeReportIntervalMs: 100 } });
  });

  afterAll(async () => {
    await stack?.stop();
    await tracing?.shutdown();
    await receiver?.close();
  });

  it("ties every line written while handling a streamed and a fallen-back request to an exported span of its trace", async () => {
    const fallbackPrompt = "log-marker-prompt: the primary fails this one";
    stack.primary.addRule(fallbackPrompt, { status: 500 });
    stack.backup.addRule(fallbackPrompt, { text: "served by the backup", usage: { prompt_tokens: 7, completion_tokens: 4 } });
    const { key } = await stack.createFundedKey("10.00");
    const client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });

    let streamedId = "";
    const stream = await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "log-marker-prompt: stream this" }], stream: true });
    for await (const chunk of stream) streamedId = chunk.id;
    const fallenBack = await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: fallbackPrompt }] });
    expect(fallenBack.choices[0]?.message.content).toBe("served by the backup");
    const generationIds = [streamedId, fallenBack.id];

    // Both generations settled and recorded: their lines are written, their spans ended; export them all.
    const traceOfGeneration = new Map<string, string>();
    await waitFor(async () => {
      await tracing.forceFlush();
      const spans = receiver.spans();
      for (const generationId of generationIds) {
        const generation = spans.find((span) => attributeOf(span, "switchboard.generation.id") === generationId && span.name === "chat test/echo");
        if (generation) traceOfGeneration.set(generationId, generation.traceId);
      }
      if (traceOfGeneration.size < generationIds.length) return undefined;
      const consumersDone = [...traceOfGeneration.values()].every(
        (traceId) => spans.filter((span) => span.traceId === traceId && span.kind === spanKindConsumer && attributeOf(span, "messaging.destination.name") === stack.subjects.generationCompleted).length === 2,
      );
      const settledLogged = generationIds.every((generationId) => parsedLines().some((line) => line.generation_id === generationId && line.service === "billing"));
      return consumersDone && settledLogged ? true : undefined;
    }, 10_000, "both generations exported, settled and recorded");
    // A line about a span still open when we flushed (a late health report, say) gets its span exported too.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await tracing.forceFlush();

    const lines = parsedLines();
    const spanById = new Map<string, OtlpSpan>(receiver.spans().map((span) => [span.spanId, span]));
    const inScope = lines.filter((line) => (line.generation_id !== undefined && generationIds.includes(line.generation_id)) || (line.service === "ingress" && line.reqId !== undefined));

    // The scope is not empty by accident: the attempt lines of the connector (the primary's failure among
    // them), billing's settlement and ingress's access log are all there.
    expect([...new Set(inScope.map((line) => line.service))]).toEqual(expect.arrayContaining(["ingress", "provider-connector", "billing"]));
    expect(inScope.some((line) => line.service === "provider-connector" && line.generation_id === fallenBack.id && line.msg === "generation failed")).toBe(true);
    for (const generationId of generationIds) {
      expect(inScope.filter((line) => line.msg === "request completed" && line.generation_id === generationId), `access line of ${generationId}`).toHaveLength(1);
    }

    const unmatched: string[] = [];
    for (const line of inScope) {
      const span = line.span_id === undefined ? undefined : spanById.get(line.span_id);
      const expectedTrace = line.generation_id === undefined ? span?.traceId : traceOfGeneration.get(line.generation_id);
      if (line.trace_id === undefined || span === undefined || span.traceId !== line.trace_id || line.trace_id !== expectedTrace) unmatched.push(describeLine(line, span));
    }
    expect(unmatched, "in-scope lines without the trace and span they were written in").toEqual([]);

    const strays = lines.filter((line) => line.trace_id !== undefined && spanById.get(line.span_id ?? "")?.traceId !== line.trace_id);
    expect(strays.map((line) => describeLine(line, undefined)), "lines naming a span that was never exported").toEqual([]);
    expect(lines.filter((line) => typeof line.service !== "string").map((line) => line.msg), "lines without a service").toEqual([]);

    const text = capture.lines.join("\n");
    for (const secret of ["log-marker", "served by the backup", key, stack.adminKey]) expect(text).not.toContain(secret);
  });

  function parsedLines(): LogLine[] {
    return capture.lines.map((line) => JSON.parse(line) as LogLine);
  }
});

function describeLine(line: LogLine, span: OtlpSpan | undefined): string {
  return `${line.service ?? "?"} "${line.msg}" trace_id=${line.trace_id ?? "none"} span_id=${line.span_id ?? "none"}${span ? ` (span ${span.name})` : ""}`;
}
