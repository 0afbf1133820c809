import { serviceEntryPoint, type ServiceName } from "./service-environment.js";

/**
 * V8 heap settings of every service, wherever it runs: `npm start`, the process tests, the benchmark and
 * deploy/docker/Dockerfile, whose CMD repeats them (service-node-arguments.test.ts keeps the two equal).
 * Measured in issue 7 (test/bench/README.md, log of 2026-11-30): without them ingress reached 134–176 MiB
 * with 1,000 concurrent streams while its live heap was 25–40 MiB; with them 110–120 MiB, at no
 * measurable cost in CPU per request.
 *
 * - `--max-semi-space-size=8`: V8's young generation is two semi-spaces that grow up to 16 MiB each on
 *   64-bit: 32 MiB held for objects that mostly live for one request. 8 MiB halves that; scavenges come
 *   twice as often, each shorter (it copies what survives, not the space).
 * - `--max-old-space-size=1024`: V8 lets the old generation grow between full collections by a factor
 *   that depends on the heap limit: up to 4× the live heap when the limit is 2 GiB or more, which is the
 *   default limit (a quarter of the memory) on any machine of 8 GiB or more, and up to 1.6× at 1 GiB
 *   (`MemoryController::MaxGrowingFactor`, v8/src/heap/heap-controller.cc). 512 MiB saved a few MiB more
 *   (factor 1.4) but leaves room for only a score of concurrent requests at the 10 MiB body limit: the
 *   limit is also what a burst of large prompts may take before the process dies.
 */
export const serviceHeapFlags = ["--max-semi-space-size=8", "--max-old-space-size=1024"] as const;

/**
 * Loads the tracing SDK before the service's own modules (libs/telemetry/src/start-tracing.ts); it starts
 * nothing unless an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT`). Resolved from the repository
 * root, the working directory of every service.
 */
export const serviceTracingFlags = ["--import", "@switchboard/telemetry/start-tracing"] as const;

/**
 * node's arguments for a service: the heap flags, the tracing start-up, then its entry point. With `SWITCHBOARD_CPU_PROFILE_DIR`
 * set (in the environment of `npm start`, the benchmark or a process test), every service also writes a
 * V8 CPU profile there when it exits, `<service>.cpuprofile` (node refuses `--cpu-prof` in NODE_OPTIONS).
 */
export function serviceNodeArguments(service: ServiceName, environment: NodeJS.ProcessEnv = process.env): string[] {
  const profileDirectory = environment["SWITCHBOARD_CPU_PROFILE_DIR"];
  const profile = profileDirectory ? ["--cpu-prof", `--cpu-prof-dir=${profileDirectory}`, `--cpu-prof-name=${service}.cpuprofile`] : [];
  return [...serviceHeapFlags, ...serviceTracingFlags, ...profile, serviceEntryPoint(service)];
}
