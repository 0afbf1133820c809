import { startBenchStack, type BenchStack, type BenchStackOptions } from "./bench-stack.js";
import { moveProcessTreeToCpus } from "./cpu-pinning.js";
import { describeMachine, type MachineDescription } from "./machine-description.js";
import { connectGenerationCounter, type GenerationCounter } from "./recorded-generations.js";

/** What a measurement on the benchmark's stack is given: the stack, one funded account and a counter of its generations. */
export interface BenchStackRun {
  readonly stack: BenchStack;
  readonly accountId: string;
  /** An API key of that account. */
  readonly key: string;
  readonly counter: GenerationCounter;
  readonly startedAt: Date;
  readonly machine: MachineDescription;
}

/**
 * Pins this process (the load generator) to the load CPUs, starts the stack as deployed, funds one
 * account, runs `measure`, and stops everything it started, on failure too. The benchmark and the soak
 * both run this way.
 */
export async function runOnBenchStack<Report>(options: BenchStackOptions, progress: (line: string) => void, measure: (run: BenchStackRun) => Promise<Report>): Promise<Report> {
  const startedAt = new Date();
  const machine = describeMachine();
  // Pinned before the stack starts; every process of the stack is then moved to the stack's CPUs.
  await moveProcessTreeToCpus(process.pid, options.loadCpus);
  progress("starting nats-server, PostgreSQL, the fake upstream and the five services");
  const stack = await startBenchStack(options);
  try {
    const { accountId, key } = await stack.createFundedKey("100000.00");
    const counter = await connectGenerationCounter(stack.databaseUrl, [accountId]);
    try {
      return await measure({ stack, accountId, key, counter, startedAt, machine });
    } finally {
      await counter.close();
    }
  } finally {
    await stack.stop();
  }
}
