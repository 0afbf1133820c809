import { describe, expect, it } from "vitest";
import { createWarningAttacher } from "./attach-upstream-warnings.js";

describe("createWarningAttacher", () => {
  it("puts the warnings on the first stream-start only", () => {
    const attach = createWarningAttacher([{ type: "unsupported-parameter", parameter: "top_k" }]);
    expect(attach([{ type: "text-delta", text: "a" }])).toEqual([{ type: "text-delta", text: "a" }]);
    expect(attach([{ type: "stream-start", upstreamId: "u-1" }, { type: "text-delta", text: "b" }])).toEqual([
      { type: "stream-start", upstreamId: "u-1", warnings: [{ type: "unsupported-parameter", parameter: "top_k" }] },
      { type: "text-delta", text: "b" },
    ]);
    expect(attach([{ type: "stream-start", upstreamId: "u-2" }])).toEqual([{ type: "stream-start", upstreamId: "u-2" }]);
  });

  it("leaves parts untouched when there is nothing to warn about", () => {
    const parts = [{ type: "stream-start" as const, upstreamId: "u-1" }];
    expect(createWarningAttacher([])(parts)).toBe(parts);
  });
});
