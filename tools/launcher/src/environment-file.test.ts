import { describe, expect, it } from "vitest";
import { mergeEnvironmentFile } from "./environment-file.js";

describe("mergeEnvironmentFile", () => {
  it("adds what the environment lacks and lets the environment win", () => {
    const text = "# comment\nPORT=9000\nOPENAI_API_KEY=sk-file\nQUOTED=\"a b\"\n";
    const { environment, added } = mergeEnvironmentFile(text, { PORT: "8081", HOME: "/root" });
    expect(environment).toEqual({ PORT: "8081", HOME: "/root", OPENAI_API_KEY: "sk-file", QUOTED: "a b" });
    expect(added).toEqual(["OPENAI_API_KEY", "QUOTED"]);
  });

  it("does not modify the environment it was given", () => {
    const original = { A: "1" };
    mergeEnvironmentFile("B=2", original);
    expect(original).toEqual({ A: "1" });
  });
});
