import { describe, expect, it } from "vitest";
import { dropUnsupportedEmbeddingParameters } from "./drop-unsupported-embedding-parameters.js";

describe("embeddings parameters an endpoint does not support", () => {
  const body = { model: "m/e", input: "x", dimensions: 256 };

  it("drops dimensions with a warning when the catalog lists other parameters but not it", () => {
    expect(dropUnsupportedEmbeddingParameters(body, ["user"])).toEqual({ body: { model: "m/e", input: "x" }, warnings: [{ type: "unsupported-parameter", parameter: "dimensions" }] });
  });

  it("keeps it when listed, and leaves an entry that declares nothing to its adapter", () => {
    expect(dropUnsupportedEmbeddingParameters(body, ["dimensions"])).toEqual({ body, warnings: [] });
    expect(dropUnsupportedEmbeddingParameters(body, [])).toEqual({ body, warnings: [] });
  });
});
