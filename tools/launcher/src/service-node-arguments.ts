import { serviceEntryPoint, type ServiceName } from "./service-environment.js";

/**
 * V8 heap settings of every service, wherever it runs: `npm start`, the process tests, the benchmark and
 * deploy/docker/Dockerfile, whose CMD repeats them (service-node-arguments.test.ts keeps the two equal).
 * Measured in issue 7 (test/bench/README.md, log of 2026-11-30): without them ingress reached 150–176 MiB
 * with 1,000 concurrent streams while its live heap was ~40 MiB; with them ~110 MiB, at no measurable cost
 * in CPU per request.
 *
 * - `--max-semi-space-size=8`: V8's young generation is two semi-spaces that grow up to 16 MiB each on
 *   64-bit, 32 MiB held for objects that mostly live for one request. 8 MiB halves that; scavenges come
 *   twice as often but each is shorter (it copies what survives, not the space).
 * - `--max-old-space-size=512`: V8 lets the old generation grow between full collections by a factor it
 *   derives from the heap limit, up to 4× the live heap when the limit is 2 GiB or more (the default limit
 *   on a machine of 16 GiB or more), about 1.4× at 512 MiB (`MemoryController::MaxGrowingFactor` in
 *   v8/src/heap/heap-controller.cc). 512 MiB is still ten times the largest live heap measured, so it caps
 *   a leak rather than a burst.
 */
export const serviceHeapFlags = ["--max-semi-space-size=8", "--max-old-space-size=512"] as const;

/** node's arguments for a service: the heap flags, then its entry point. */
export function serviceNodeArguments(service: ServiceName): string[] {
  return [...serviceHeapFlags, serviceEntryPoint(service)];
}
