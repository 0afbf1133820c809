import { startFakeUpstream } from "./fake-upstream.js";
import { runUpstreamProcess } from "./run-upstream-process.js";

// The fake upstream as a process (the launcher's demo provider); see runUpstreamProcess for PORT, HOST and the URL line.
runUpstreamProcess(startFakeUpstream);
