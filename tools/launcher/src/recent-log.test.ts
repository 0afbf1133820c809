import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRecentLog } from "./recent-log.js";

describe("createRecentLog", () => {
  it("writes every message as lines and remembers the last twenty non-empty ones", async () => {
    const directory = await mkdtemp(path.join(tmpdir(), "recent-log-"));
    const file = path.join(directory, "postgres.log");
    const log = createRecentLog(file);
    for (let index = 1; index <= 25; index++) log.write(`line ${index}`);
    log.write(new Error("could not bind IPv4 address\n\n"));
    expect(log.recentLines()).toHaveLength(20);
    expect(log.recentLines().at(0)).toBe("line 7");
    expect(log.recentLines().at(-1)).toBe("could not bind IPv4 address");
    log.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const written = await readFile(file, "utf8");
    expect(written.startsWith("line 1\nline 2\n")).toBe(true);
    expect(written.endsWith("could not bind IPv4 address\n\n")).toBe(true);
    await rm(directory, { recursive: true, force: true });
  });
});
