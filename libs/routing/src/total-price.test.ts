import { describe, expect, it } from "vitest";
import { modelAEndpoint } from "./model-a-endpoint.test-support.js";
import { totalPricePicos } from "./total-price.js";

describe("totalPricePicos", () => {
  it("adds prompt and completion exactly, beyond a double's integer range, and answers the same from its cache", () => {
    const endpoint = modelAEndpoint("big", "9007199254740993", "1");
    expect(totalPricePicos(endpoint)).toBe(9007199254740994n);
    expect(totalPricePicos(endpoint)).toBe(9007199254740994n);
    // Another snapshot's object for the same endpoint, at a new price, is parsed afresh.
    expect(totalPricePicos(modelAEndpoint("big", "2", "3"))).toBe(5n);
  });
});
