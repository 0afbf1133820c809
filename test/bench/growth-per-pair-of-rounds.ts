/** One round of a comparison: each stack's CPU per request over its slice of the round. */
export interface RoundCpu {
  off: number;
  on: number;
}

/**
 * The CPU growth of each pair of rounds (the first and second, the third and fourth, …): on ÷ off − 1 of
 * their CPU per request added up. A lone last round of an odd number has no pair and is left out.
 *
 * Why pairs: a stack's CPU is counted from the start of one of its slices to the start of its next
 * (run-telemetry-comparison.ts), and the order alternates, so in one round a stack's count takes in both of
 * the other stack's slices (its idle time, whatever it finishes meanwhile) and in the next round none. A
 * single round leans with its order; in a pair each stack was first once, and the lean cancels. The
 * control run (`BENCH_TELEMETRY=control`, telemetry off on both stacks) read, round by round at
 * concurrency 20, −28 %, +12 %, −17 %, +25 %, −14 %, +46 %, … for a total of −0.4 %.
 */
export function growthPerPairOfRounds(rounds: readonly RoundCpu[]): number[] {
  const growths: number[] = [];
  for (let first = 0; first + 1 < rounds.length; first += 2) {
    const [one, two] = [rounds[first] as RoundCpu, rounds[first + 1] as RoundCpu];
    growths.push((one.on + two.on) / (one.off + two.off) - 1);
  }
  return growths;
}
