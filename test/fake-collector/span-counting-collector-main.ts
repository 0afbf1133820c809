import { runUpstreamProcess } from "../fake-upstream/run-upstream-process.js";
import { startSpanCountingCollector } from "./span-counting-collector.js";

// The span-counting collector as a process of its own (the benchmark's trace collector with
// BENCH_TELEMETRY=on, pinned to the load CPUs so that its CPU is charged to neither the stack nor the
// load generator); see runUpstreamProcess for PORT, HOST and the URL line.
runUpstreamProcess(startSpanCountingCollector);
