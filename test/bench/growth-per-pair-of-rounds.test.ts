import { describe, expect, it } from "vitest";
import { growthPerPairOfRounds } from "./growth-per-pair-of-rounds.js";

describe("growthPerPairOfRounds", () => {
  it("adds up each pair of rounds before dividing, so a round's lean and the next round's opposite lean cancel", () => {
    // The order effect alone: on counts 1.0 too much in the first round and 1.0 too little in the second.
    expect(growthPerPairOfRounds([{ off: 3, on: 4 }, { off: 3, on: 2 }])).toEqual([0]);
    const growths = growthPerPairOfRounds([
      { off: 2, on: 2.5 },
      { off: 2, on: 2.3 },
      { off: 4, on: 4 },
      { off: 4, on: 5 },
    ]);
    expect(growths).toHaveLength(2);
    expect(growths[0]).toBeCloseTo(0.2, 12);
    expect(growths[1]).toBeCloseTo(0.125, 12);
  });

  it("leaves out a lone last round, and has nothing to say of fewer than two", () => {
    expect(growthPerPairOfRounds([{ off: 1, on: 2 }, { off: 1, on: 2 }, { off: 1, on: 9 }])).toEqual([1]);
    expect(growthPerPairOfRounds([{ off: 1, on: 2 }])).toEqual([]);
    expect(growthPerPairOfRounds([])).toEqual([]);
  });
});
