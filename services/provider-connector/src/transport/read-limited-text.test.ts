import { describe, expect, it, vi } from "vitest";
import { readLimitedText } from "./read-limited-text.js";
import type { UpstreamResponseBody } from "./upstream-transport.js";

const encoder = new TextEncoder();

/** A body yielding `chunks`, recording how many were pulled and whether it was destroyed. */
function bodyOf(chunks: readonly string[]) {
  let pulled = 0;
  const destroy = vi.fn();
  const body: UpstreamResponseBody = {
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) {
        pulled += 1;
        yield encoder.encode(chunk);
      }
    },
    text: async () => chunks.join(""),
    destroy,
  };
  return { body, destroy, pulled: () => pulled };
}

describe("readLimitedText", () => {
  it("reads a body up to exactly the limit whole", async () => {
    const { body, destroy } = bodyOf(["abc", "def"]);
    expect(await readLimitedText(body, 6)).toEqual({ text: "abcdef", truncated: false });
    expect(destroy).not.toHaveBeenCalled();
  });

  it("cuts a longer body at the limit, stops reading and destroys it", async () => {
    const { body, destroy, pulled } = bodyOf(["abc", "defg", "never pulled"]);
    expect(await readLimitedText(body, 6)).toEqual({ text: "abcdef", truncated: true });
    expect(destroy).toHaveBeenCalled();
    expect(pulled()).toBe(2);
  });

  it("reads an empty body as empty text", async () => {
    expect(await readLimitedText(bodyOf([]).body, 10)).toEqual({ text: "", truncated: false });
  });
});
