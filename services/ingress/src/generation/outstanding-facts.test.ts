import { maximumOutstandingFactsListed, storedFactsSchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { OutstandingFacts } from "./outstanding-facts.js";

describe("OutstandingFacts", () => {
  it("vouches for nothing before the first generation", () => {
    expect(new OutstandingFacts().describe()).toEqual({ issuedThrough: -1, outstanding: [] });
  });

  it("lists the numbers handed out and not given back, in ascending order", () => {
    const facts = new OutstandingFacts();
    const numbers = [facts.open(), facts.open(), facts.open(), facts.open()];
    expect(numbers).toEqual([0, 1, 2, 3]);
    facts.close(2);
    facts.close(0);
    expect(facts.describe()).toEqual({ issuedThrough: 3, outstanding: [1, 3] });
    facts.close(1);
    facts.close(3);
    facts.close(3);
    expect(facts.describe()).toEqual({ issuedThrough: 3, outstanding: [] });
    expect(facts.size).toBe(0);
  });

  it("vouches only up to the last number listed when too many are outstanding", () => {
    const facts = new OutstandingFacts();
    for (let index = 0; index < maximumOutstandingFactsListed + 10; index++) facts.open();
    facts.close(0);
    const described = facts.describe();
    expect(described.outstanding).toHaveLength(maximumOutstandingFactsListed);
    expect(described.outstanding[0]).toBe(1);
    expect(described.issuedThrough).toBe(maximumOutstandingFactsListed);
    // Fits the heartbeat's schema.
    expect(storedFactsSchema.parse(described)).toEqual(described);
  });
});
