import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LaunchRecorder, LauncherAlreadyRunningError, parseLaunchRecord } from "./launch-record.js";
import { isProcessAlive } from "./process-inspection.js";

async function recordFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), "launcher-")), "launch.json");
}

describe("parseLaunchRecord", () => {
  it("reads a record and drops malformed entries", () => {
    const record = parseLaunchRecord(
      JSON.stringify({ launcher: { name: "launcher", pid: 10, marker: "main.js" }, processes: [{ name: "router", pid: 11, marker: "router" }, { pid: "x" }] }),
    );
    expect(record).toEqual({ launcher: { name: "launcher", pid: 10, marker: "main.js" }, processes: [{ name: "router", pid: 11, marker: "router" }] });
  });

  it("rejects garbage", () => {
    expect(parseLaunchRecord("")).toBeUndefined();
    expect(parseLaunchRecord('{"processes":[]}')).toBeUndefined();
  });
});

describe("LaunchRecorder", () => {
  it("writes what it started and removes the record at the end", async () => {
    const file = await recordFile();
    const recorder = new LaunchRecorder(file, { name: "launcher", pid: process.pid, marker: "vitest" });
    expect(await recorder.claim()).toEqual([]);
    recorder.add({ name: "router", pid: 123, marker: "services/router/dist/main.js" });
    expect(parseLaunchRecord(await readFile(file, "utf8"))?.processes).toEqual([{ name: "router", pid: 123, marker: "services/router/dist/main.js" }]);
    recorder.remove();
    await expect(readFile(file, "utf8")).rejects.toThrow();
  });

  it("refuses to start beside a live launcher", async () => {
    const file = await recordFile();
    const sleeper = spawn("sleep", ["30"]);
    try {
      await writeFile(file, JSON.stringify({ launcher: { name: "launcher", pid: sleeper.pid, marker: "sleep" }, processes: [] }));
      await expect(new LaunchRecorder(file, { name: "launcher", pid: process.pid, marker: "x" }).claim()).rejects.toBeInstanceOf(LauncherAlreadyRunningError);
    } finally {
      sleeper.kill();
    }
  });

  it("stops the leftovers of a killed launcher, but not a process that merely reuses a PID", async () => {
    const file = await recordFile();
    const leftover = spawn("sleep", ["30"]);
    const stranger = spawn("sleep", ["31"]);
    try {
      await writeFile(
        file,
        JSON.stringify({
          launcher: { name: "launcher", pid: 999_999_999, marker: "launcher" },
          processes: [
            { name: "router", pid: leftover.pid, marker: "sleep 30" },
            { name: "billing", pid: stranger.pid, marker: "services/billing/dist/main.js" },
          ],
        }),
      );
      const stopped = await new LaunchRecorder(file, { name: "launcher", pid: process.pid, marker: "x" }).claim();
      expect(stopped).toEqual([`router (pid ${leftover.pid})`]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(isProcessAlive(stranger.pid as number)).toBe(true);
    } finally {
      leftover.kill();
      stranger.kill();
    }
  });
});
