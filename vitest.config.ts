import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const library = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

/**
 * Tests that fire 1,000 concurrent requests or reservations at one stack, count a rate limit's windows, or
 * size leases to a burst's measured spend: they need the machine, and PostgreSQL's connections, to
 * themselves, so they run one file at a time after the other integration tests, like the stack processes.
 */
const loadTests = [
  "test/e2e/credit-leases.test.ts",
  "test/e2e/key-limits.test.ts",
  "test/e2e/rate-limits.test.ts",
  "test/integration/billing/key-limits.test.ts",
  "test/integration/ingress/credit-leases.test.ts",
];

/**
 * The other test files mostly wait on NATS, PostgreSQL and timers, so two run side by side even on a
 * 2-core machine (where Vitest's default, cores − 1, would run one at a time).
 */
const maxWorkers = Math.max(availableParallelism() - 1, 2);

/** Tests that start the services (and their own NATS and PostgreSQL) as separate processes. */
const stackProcessTests = ["test/e2e/outages.test.ts", "test/e2e/metrics-processes.test.ts", "test/e2e/npm-start.test.ts", "test/e2e/bench-smoke.test.ts", "test/e2e/lease-holder-killed.test.ts", "test/e2e/ingress-killed-mid-stream.test.ts", "test/e2e/soak-smoke.test.ts", "test/e2e/chaos.test.ts"];

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources of the libraries; services started as processes run dist/.
    alias: {
      "@switchboard/contracts": library("contracts"),
      "@switchboard/messaging": library("messaging"),
      "@switchboard/db": library("db"),
      "@switchboard/config": library("config"),
      "@switchboard/telemetry": library("telemetry"),
      "@switchboard/routing": library("routing"),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        // Unit files share one module graph (isolate: false): importing it afresh for each of ~185 files was
        // most of the project's time (2 min against 25 s). They pass in any file order; what they share is
        // undone by the files (tracing's shutdown disables the OpenTelemetry globals, fake timers are restored).
        test: { name: "unit", isolate: false, maxWorkers, include: ["libs/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "tools/*/src/**/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts", "test/fake-upstream/**/*.test.ts", "test/fake-collector/**/*.test.ts", "test/bench/**/*.test.ts"],
          exclude: [...stackProcessTests, ...loadTests],
          // Isolated per file (unlike unit). A shared module graph was tried; its one failure in CI ("never
          // overdraws an account under concurrent requests") turned out to be that test letting the backup
          // answer early, mended since, not state shared between files. Sharing again is untried since.
          maxWorkers,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        // Whole stacks as processes, some measuring latency: run one file at a time, after the others
        // (`npm test` runs this project separately), so a busy neighbour does not skew their figures.
        test: { name: "processes", include: stackProcessTests, fileParallelism: false, testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        // Run with the processes project, one file at a time, after unit and integration (see loadTests).
        test: { name: "load", include: loadTests, fileParallelism: false, testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        // Benchmarks print figures and are run by `npm run bench`, not by `npm test`.
        test: { name: "bench", include: ["test/bench/**/*.bench.ts"], testTimeout: 300_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        // The soak (`npm run soak`, through test/bench/soak-command.mjs) runs for minutes; not in `npm test`.
        test: { name: "soak", include: ["test/bench/**/*.soak.ts"], testTimeout: 3_600_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        // The long chaos run (`npm run chaos`, through test/bench/chaos-command.mjs); `npm test` runs test/e2e/chaos.test.ts.
        test: { name: "chaos", include: ["test/bench/**/*.chaos.ts"], testTimeout: 3_600_000, hookTimeout: 60_000 },
      },
    ],
  },
});
