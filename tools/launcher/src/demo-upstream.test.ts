import { describe, expect, it } from "vitest";
import { parseListeningLine } from "./demo-upstream.js";

describe("parseListeningLine", () => {
  it("reads the URL the fake upstream announces", () => {
    expect(parseListeningLine('{"url":"http://127.0.0.1:40123/v1"}')).toBe("http://127.0.0.1:40123/v1");
  });

  it("ignores log lines and malformed JSON", () => {
    expect(parseListeningLine('{"level":30,"msg":"listening"}')).toBeUndefined();
    expect(parseListeningLine('{"url":"not a url"}')).toBeUndefined();
    expect(parseListeningLine("{broken")).toBeUndefined();
    expect(parseListeningLine("listening on 40123")).toBeUndefined();
  });
});
