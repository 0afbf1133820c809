import { afterEach, describe, expect, it } from "vitest";
import { withoutSignalHooks } from "./without-signal-hooks.js";

describe("withoutSignalHooks", () => {
  const mine = () => undefined;
  const theirs = () => undefined;
  const theirExit = () => undefined;

  afterEach(() => {
    for (const listener of [mine, theirs]) process.removeListener("SIGTERM", listener);
    process.removeListener("exit", theirExit);
  });

  it("removes the signal and exit listeners the loaded module added and keeps ours", async () => {
    process.on("SIGTERM", mine);
    const result = await withoutSignalHooks(async () => {
      process.on("SIGTERM", theirs);
      process.on("exit", theirExit);
      return "module";
    });
    expect(result).toBe("module");
    expect(process.listeners("SIGTERM")).toContain(mine);
    expect(process.listeners("SIGTERM")).not.toContain(theirs);
    expect(process.listeners("exit")).not.toContain(theirExit);
  });
});
