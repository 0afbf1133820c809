import { describe, expect, it } from "vitest";
import { LabelledChildren } from "./labelled-children.js";

describe("LabelledChildren", () => {
  it("creates each combination's child once, with its values as strings", () => {
    const created: string[][] = [];
    const children = new LabelledChildren((values) => {
      created.push([...values]);
      return { values };
    });
    const first = children.of3("/a", "GET", 200);
    expect(children.of3("/a", "GET", 200)).toBe(first);
    expect(children.of3("/a", "GET", 500)).not.toBe(first);
    expect(children.of3("/a", "POST", 200)).not.toBe(first);
    expect(created).toEqual([
      ["/a", "GET", "200"],
      ["/a", "GET", "500"],
      ["/a", "POST", "200"],
    ]);
  });

  it("keeps one and two label values apart per instance", () => {
    const one = new LabelledChildren((values) => values.join("|"));
    expect(one.of1("x")).toBe("x");
    const two = new LabelledChildren((values) => values.join("|"));
    expect(two.of2("model", "provider")).toBe("model|provider");
    expect(two.of2("model", "other")).toBe("model|other");
  });
});
