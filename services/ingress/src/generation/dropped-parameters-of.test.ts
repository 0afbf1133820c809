import { describe, expect, it } from "vitest";
import { droppedParametersOf } from "./dropped-parameters-of.js";

describe("droppedParametersOf", () => {
  it("names the parameters the provider's stream-start warns about, and none without warnings", () => {
    expect(
      droppedParametersOf([
        { type: "stream-start", seq: 0, upstreamId: null },
        { type: "stream-start", seq: 1, upstreamId: "u", warnings: [{ type: "unsupported-parameter", parameter: "top_k" }, { type: "unsupported-parameter", parameter: "seed" }] },
        { type: "text-delta", seq: 2, text: "hi" },
      ]),
    ).toEqual(["top_k", "seed"]);
    expect(droppedParametersOf([{ type: "stream-start", seq: 0, upstreamId: null }])).toEqual([]);
  });
});
