import { describe, expect, it } from "vitest";
import { imageUrlOf } from "./image-url-of.js";

describe("imageUrlOf", () => {
  it("reads image_url.url, or image_url given as a bare string, and nothing else", () => {
    expect(imageUrlOf({ type: "image_url", image_url: { url: "https://example.test/cat.png" } })).toBe("https://example.test/cat.png");
    expect(imageUrlOf({ type: "image_url", image_url: "data:image/png;base64,AA==" })).toBe("data:image/png;base64,AA==");
    expect(imageUrlOf({ type: "image_url", image_url: null })).toBeUndefined();
    expect(imageUrlOf({ type: "image_url" })).toBeUndefined();
  });
});
