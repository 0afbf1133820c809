import { startPacedUpstream } from "./paced-upstream.js";
import { runUpstreamProcess } from "./run-upstream-process.js";

// The paced upstream as a process of its own (the benchmark's provider, so its CPU is not charged to the
// load generator); see runUpstreamProcess for PORT, HOST and the URL line.
runUpstreamProcess(startPacedUpstream);
