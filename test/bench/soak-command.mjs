// `npm run soak -- --duration 10m --rate 40`: the soak's flags become its environment variables, then
// vitest runs the soak project. vitest rejects flags it does not know, and its workers do not see the
// command line, so they cannot be passed through it; the environment reaches the workers.
import process from "node:process";
import { parseArgs } from "node:util";
import { startVitest } from "vitest/node";

const flags = {
  duration: "SOAK_DURATION",
  "warm-up": "SOAK_WARM_UP",
  "sample-interval": "SOAK_SAMPLE_INTERVAL",
  rate: "SOAK_REQUESTS_PER_SECOND",
  "growth-limit": "SOAK_GROWTH_LIMIT_MIB_PER_MINUTE",
};
const { values } = parseArgs({ options: Object.fromEntries(Object.keys(flags).map((flag) => [flag, { type: "string" }])) });
for (const [flag, variable] of Object.entries(flags)) if (values[flag] !== undefined) process.env[variable] = values[flag];

// As vitest's own command does: it sets the exit code when a test fails.
const vitest = await startVitest("test", [], { run: true, project: ["soak"] });
await vitest.exit();
