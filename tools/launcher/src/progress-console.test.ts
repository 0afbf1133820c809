import { describe, expect, it } from "vitest";
import { createProgressConsole } from "./progress-console.js";

function recordingConsole() {
  let output = "";
  let clock = 0;
  const progress = createProgressConsole({ write: (text) => (output += text), now: () => clock });
  return { progress, output: () => output, advance: (milliseconds: number) => (clock += milliseconds) };
}

describe("createProgressConsole", () => {
  it("prints a step and its duration on one line", async () => {
    const { progress, output, advance } = recordingConsole();
    const result = await progress.step("starting PostgreSQL", async () => {
      advance(412);
      return 42;
    });
    expect(result).toBe(42);
    expect(output()).toBe("starting PostgreSQL… ok (0.4 s)\n");
  });

  it("reports a failed step and rethrows", async () => {
    const { progress, output, advance } = recordingConsole();
    await expect(
      progress.step("starting nats-server", async () => {
        advance(2_000);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(output()).toBe("starting nats-server… failed (2.0 s)\n");
  });

  it("repeats the label when lines were printed during the step", async () => {
    const { progress, output } = recordingConsole();
    await progress.step("starting services", async () => {
      progress.line("router            | WARN catalog has no keys");
    });
    expect(output()).toBe("starting services… \nrouter            | WARN catalog has no keys\nstarting services… ok (0.0 s)\n");
  });

  it("prints plain lines outside steps", () => {
    const { progress, output } = recordingConsole();
    progress.line("hello");
    expect(output()).toBe("hello\n");
  });
});
