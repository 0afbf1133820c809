import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTracingSdk } from "../../libs/telemetry/src/start-tracing-sdk.js";
import type { Tracing } from "../../libs/telemetry/src/running-tracing.js";
import { attributeOf, startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from "../support/otlp-receiver.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

const spanKinds = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
const errorStatus = 2;

/**
 * Issue 12's acceptance: one streamed chat completion with one fallback is one trace, exported over OTLP
 * (http/protobuf, the default, through EncodingSpanProcessor, and http/json through the SDK's exporter,
 * to a receiver in this process), from the HTTP edge through the connector's two upstream
 * attempts to settlement, the generation record and the router's health judgement, linked parent to child
 * across NATS, with the undici instrumentation's HTTP span of each provider request and no trace context
 * sent to the providers; and nothing that was exported holds the prompt, the completion or a key. All services run in
 * this process, so one SDK (the services' own start-up, startTracingSdk) serves them all.
 */
describe.each(["http/protobuf", "http/json"] as const)("one trace per request across every service (issue 12), exported as %s", (protocol) => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let stack: TestStack;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    tracing = await startTracingSdk({ protocol, url: receiver.tracesUrl, serviceName: "switchboard-e2e", serviceVersion: "test", serviceInstanceId: "e2e", instrumentations: ["undici", "pg"] });
    // After the SDK, as with `node --import`: ingress registers its HTTP spans only when tracing is on.
    stack = await startStack({ health: { outcomeReportIntervalMs: 100 } });
  });

  afterAll(async () => {
    await stack?.stop();
    await tracing?.shutdown();
    await receiver?.close();
  });

  it("links ingress, connector, both upstream attempts, billing, metadata-logging and the router in one tree, without prompt text", async () => {
    const prompt = "trace-marker-prompt: the secret plan is purple elephants";
    const answer = "trace-marker-answer: elephants acknowledged";
    stack.primary.addRule(prompt, { status: 500 });
    stack.backup.addRule(prompt, { text: answer, usage: { prompt_tokens: 12, completion_tokens: 9 } });
    const { key } = await stack.createFundedKey("10.00");
    const client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });

    let text = "";
    let generationId = "";
    const stream = await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: prompt }], stream: true });
    for await (const chunk of stream) {
      generationId = chunk.id;
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe(answer);

    const subjects = stack.subjects;
    const inTrace = (traceId: string) => receiver.spans().filter((span) => span.traceId === traceId);
    let traceId = "";
    // Billing and logging consume the fact after the answer, the router hears outcomes within 100 ms: wait for all.
    await waitFor(async () => {
      await tracing.forceFlush();
      const generation = receiver.spans().find((span) => attributeOf(span, "switchboard.generation.id") === generationId && span.name === "chat test/echo");
      if (!generation) return undefined;
      traceId = generation.traceId;
      const spans = inTrace(traceId);
      const consumers = spans.filter((span) => span.kind === spanKinds.consumer);
      const settledAndRecorded = consumers.filter((span) => attributeOf(span, "messaging.destination.name") === subjects.generationCompleted).length === 2;
      const judged = consumers.some((span) => attributeOf(span, "messaging.destination.name") === subjects.endpointOutcomes);
      return settledAndRecorded && judged ? true : undefined;
    }, 10_000, "the trace's spans from every service");

    const spans = inTrace(traceId);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentOf = (span: OtlpSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);
    const only = (predicate: (span: OtlpSpan) => boolean, what: string) => {
      const found = spans.filter(predicate);
      expect(found, what).toHaveLength(1);
      return found[0] as OtlpSpan;
    };

    // Ingress: the HTTP root, the generation under it.
    const http = only((span) => span.kind === spanKinds.server && span.name === "POST /api/v1/chat/completions", "the HTTP span");
    expect(http.parentSpanId ?? "").toBe("");
    expect(attributeOf(http, "http.response.status_code")).toBe(200);
    const generation = only((span) => span.name === "chat test/echo", "the generation span");
    expect(parentOf(generation)).toBe(http);
    expect(attributeOf(generation, "gen_ai.request.model")).toBe("test/echo");
    expect(attributeOf(generation, "gen_ai.response.model")).toBe("test/echo");
    expect(attributeOf(generation, "gen_ai.system")).toBe("backup");
    expect(attributeOf(generation, "gen_ai.usage.input_tokens")).toBe(12);
    expect(attributeOf(generation, "gen_ai.usage.output_tokens")).toBe(9);
    expect(generation.events?.map((event) => event.name)).toEqual(expect.arrayContaining(["gen_ai.first_token", "switchboard.fallback"]));

    // Two attempts, each a CLIENT request to the connector answered by its SERVER span, which calls the provider.
    const attempts = spans.filter((span) => span.kind === spanKinds.client && attributeOf(span, "switchboard.attempt.number") !== undefined);
    expect(attempts.map((span) => attributeOf(span, "switchboard.attempt.number")).sort()).toEqual([1, 2]);
    const [first, second] = [1, 2].map((number) => attempts.find((span) => attributeOf(span, "switchboard.attempt.number") === number) as OtlpSpan);
    for (const attempt of [first, second]) expect(parentOf(attempt as OtlpSpan)).toBe(generation);
    expect(attributeOf(first as OtlpSpan, "gen_ai.system")).toBe("primary");
    expect(attributeOf(first as OtlpSpan, "switchboard.fallback.reason")).toBe("upstream_error");
    expect(first?.status?.code).toBe(errorStatus);
    expect(attributeOf(second as OtlpSpan, "gen_ai.system")).toBe("backup");
    expect(attributeOf(second as OtlpSpan, "switchboard.attempt.outcome")).toBe("output");

    const upstreamOf = (attempt: OtlpSpan) => {
      const server = only((span) => span.kind === spanKinds.server && parentOf(span) === attempt, "the connector's span of an attempt");
      expect(attributeOf(server, "messaging.destination.name")).toBe(subjects.connectorGenerate);
      expect(attributeOf(server, "messaging.system")).toBe("nats");
      return only((span) => span.kind === spanKinds.client && parentOf(span) === server, "the upstream call of an attempt");
    };
    const failedUpstream = upstreamOf(first as OtlpSpan);
    expect(failedUpstream.name).toBe("chat echo-primary");
    expect(attributeOf(failedUpstream, "switchboard.attempt.outcome")).toBe("server_error");
    expect(failedUpstream.status?.code).toBe(errorStatus);
    const servingUpstream = upstreamOf(second as OtlpSpan);
    expect(servingUpstream.name).toBe("chat echo-backup");
    expect(attributeOf(servingUpstream, "switchboard.attempt.outcome")).toBe("ok");
    expect(attributeOf(servingUpstream, "gen_ai.usage.input_tokens")).toBe(12);
    expect(attributeOf(servingUpstream, "gen_ai.usage.output_tokens")).toBe(9);
    expect(servingUpstream.events?.map((event) => event.name)).toContain("gen_ai.first_token");
    // Under each upstream span, the undici instrumentation's HTTP CLIENT span of the request itself, without
    // its headers; and the providers, third parties, were sent no trace context.
    for (const [upstream, status] of [[failedUpstream, 500], [servingUpstream, 200]] as const) {
      const request = only((span) => span.kind === spanKinds.client && parentOf(span) === upstream, "the HTTP request of an upstream call");
      expect(request.name).toBe("POST");
      expect(attributeOf(request, "http.response.status_code")).toBe(status);
      expect(attributeOf(request, "url.path")).toBe("/v1/chat/completions");
      expect(request.attributes?.map((attribute) => attribute.key).filter((name) => name.startsWith("http.request.header"))).toEqual([]);
    }
    for (const provider of [stack.primary, stack.backup]) {
      expect(provider.requests.length).toBeGreaterThan(0);
      for (const request of provider.requests) expect(request.headers).not.toHaveProperty("traceparent");
    }

    // The completion fact: published under the generation, processed by billing and metadata-logging each.
    const fact = only((span) => span.kind === spanKinds.producer && attributeOf(span, "messaging.destination.name") === subjects.generationCompleted, "the fact");
    expect(parentOf(fact)).toBe(generation);
    const factConsumers = spans.filter((span) => span.kind === spanKinds.consumer && attributeOf(span, "messaging.destination.name") === subjects.generationCompleted);
    for (const consumer of factConsumers) expect(parentOf(consumer)).toBe(fact);
    expect(factConsumers.map((span) => attributeOf(span, "messaging.consumer.group.name")).sort()).toEqual([subjects.billingConsumer, subjects.loggingConsumer].sort());

    // The router, from the outcome report of an attempt of this request.
    const reports = spans.filter((span) => span.kind === spanKinds.producer && attributeOf(span, "messaging.destination.name") === subjects.endpointOutcomes);
    expect(reports.length).toBeGreaterThanOrEqual(1);
    for (const report of reports) expect([failedUpstream, servingUpstream]).toContain(parentOf(report));
    const routerSpans = spans.filter((span) => span.kind === spanKinds.consumer && attributeOf(span, "messaging.destination.name") === subjects.endpointOutcomes);
    expect(routerSpans.length).toBeGreaterThanOrEqual(1);
    for (const routerSpan of routerSpans) expect(reports).toContain(parentOf(routerSpan));

    // Nothing exported anywhere holds the prompt, the answer or a key: every body, every attribute and event.
    expect(new Set(receiver.contentTypes())).toEqual(new Set([protocol === "http/json" ? "application/json" : "application/x-protobuf"]));
    const exported = receiver.bodies().join("\n");
    for (const secret of ["trace-marker", "purple elephants", "elephants acknowledged", key, "sk-primary-test", "sk-backup-test", stack.adminKey]) {
      expect(exported).not.toContain(secret);
    }
  });
});
