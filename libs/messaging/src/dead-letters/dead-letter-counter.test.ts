import { describe, expect, it } from "vitest";
import { DeadLetterCounter } from "./dead-letter-counter.js";

describe("DeadLetterCounter", () => {
  it("counts per consumer and reason, showing the consumers it was given from the start", () => {
    const counter = new DeadLetterCounter(["billing-settlement"]);
    expect(counter.snapshot()).toEqual({ "billing-settlement": { "not-json": 0, invalid: 0, "failed-repeatedly": 0 } });
    counter.increment("billing-settlement", "invalid");
    counter.increment("billing-settlement", "invalid");
    counter.increment("billing-settlement", "failed-repeatedly");
    counter.increment("metadata-logging", "not-json");
    expect(counter.snapshot()).toEqual({
      "billing-settlement": { "not-json": 0, invalid: 2, "failed-repeatedly": 1 },
      "metadata-logging": { "not-json": 1, invalid: 0, "failed-repeatedly": 0 },
    });
    expect(counter.total("billing-settlement")).toBe(3);
    expect(counter.total("nobody")).toBe(0);
  });
});
