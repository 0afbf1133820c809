// `npm run chaos -- --requests 2000 --rate 60`: the chaos run's flags become its environment variables,
// then vitest runs the chaos project (as soak-command.mjs does for the soak: vitest's workers see the
// environment, not the command line).
import process from "node:process";
import { parseArgs } from "node:util";
import { startVitest } from "vitest/node";

const flags = {
  requests: "CHAOS_REQUESTS_PER_KILL",
  rate: "CHAOS_REQUESTS_PER_SECOND",
  concurrency: "CHAOS_CONCURRENCY",
  services: "CHAOS_SERVICES",
};
const { values } = parseArgs({ options: Object.fromEntries(Object.keys(flags).map((flag) => [flag, { type: "string" }])) });
for (const [flag, variable] of Object.entries(flags)) if (values[flag] !== undefined) process.env[variable] = values[flag];

// As vitest's own command does: it sets the exit code when a test fails.
const vitest = await startVitest("test", [], { run: true, project: ["chaos"] });
await vitest.exit();
