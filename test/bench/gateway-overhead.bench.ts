import { request } from "undici";
import { afterAll, beforeAll, describe, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * Gateway overhead benchmark (`npm run bench`): latency of a non-streaming completion sent straight to
 * the fake provider versus through Switchboard (ingress → router → billing → connector → provider, fact
 * published after the answer), sequentially and with concurrency. Prints figures; asserts nothing.
 * Services run in one process here, so NATS hops are real but process scheduling is kinder than in a
 * deployment.
 */
const sequentialRequests = Number(process.env["BENCH_REQUESTS"] ?? 500);
const concurrency = Number(process.env["BENCH_CONCURRENCY"] ?? 20);

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

function summarize(label: string, samples: number[]): { p50: number; p90: number; p99: number } {
  const sorted = [...samples].sort((left, right) => left - right);
  const figures = { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99) };
  console.log(`${label.padEnd(28)} p50 ${figures.p50.toFixed(2)} ms  p90 ${figures.p90.toFixed(2)} ms  p99 ${figures.p99.toFixed(2)} ms  (n=${samples.length})`);
  return figures;
}

describe("gateway overhead", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key } = await stack.createFundedKey("1000.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("prints direct vs through-Switchboard latency and throughput", async () => {
    const body = { model: "test/echo", messages: [{ role: "user", content: "benchmark me" }], max_tokens: 16 };
    const direct = () =>
      request(`${stack.primary.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sk-primary-test" },
        body: JSON.stringify({ ...body, model: "echo-primary" }),
      }).then((response) => response.body.text());
    const gateway = () =>
      request(`${stack.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      }).then(async (response) => {
        const text = await response.body.text();
        if (response.statusCode !== 200) throw new Error(`gateway answered ${response.statusCode}: ${text}`);
      });
    const time = async (call: () => Promise<unknown>) => {
      const startedAt = performance.now();
      await call();
      return performance.now() - startedAt;
    };

    for (let index = 0; index < 50; index++) {
      await direct();
      await gateway();
    }
    const directSamples: number[] = [];
    const gatewaySamples: number[] = [];
    for (let index = 0; index < sequentialRequests; index++) {
      directSamples.push(await time(direct));
      gatewaySamples.push(await time(gateway));
    }
    console.log(`\nSequential, one request in flight (${sequentialRequests} each):`);
    const straight = summarize("direct to provider", directSamples);
    const through = summarize("through Switchboard", gatewaySamples);
    console.log(`${"added by Switchboard".padEnd(28)} p50 ${(through.p50 - straight.p50).toFixed(2)} ms  p99 ${(through.p99 - straight.p99).toFixed(2)} ms`);

    const total = sequentialRequests;
    let next = 0;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          await gateway();
        }
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    console.log(`\nConcurrent (${concurrency} in flight): ${total} requests in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(0)} requests/s\n`);
  }, 300_000);
});
