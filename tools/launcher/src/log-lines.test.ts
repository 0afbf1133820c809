import { describe, expect, it } from "vitest";
import { createLineSplitter, formatConsoleLine } from "./log-lines.js";

describe("createLineSplitter", () => {
  it("joins chunks into lines and flushes the rest", () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.push("first li");
    splitter.push("ne\r\nsecond\nthi");
    expect(lines).toEqual(["first line", "second"]);
    splitter.flush();
    expect(lines).toEqual(["first line", "second", "thi"]);
    splitter.flush();
    expect(lines).toHaveLength(3);
  });
});

describe("formatConsoleLine", () => {
  const quiet = { everything: false, nameWidth: 8 };
  const loud = { everything: true, nameWidth: 8 };

  it("keeps info-level pino lines in the file only", () => {
    expect(formatConsoleLine("router", '{"level":30,"msg":"router ready"}', quiet)).toBeUndefined();
  });

  it("shows warnings and errors with the error message", () => {
    expect(formatConsoleLine("router", '{"level":40,"msg":"no key for groq"}', quiet)).toBe("router   | WARN no key for groq");
    expect(formatConsoleLine("billing", '{"level":50,"msg":"settle failed","err":{"message":"connection refused"}}', quiet)).toBe(
      "billing  | ERROR settle failed: connection refused",
    );
  });

  it("shows everything when asked to", () => {
    expect(formatConsoleLine("router", '{"level":30,"msg":"router ready"}', loud)).toBe("router   | INFO router ready");
  });

  it("shows plain text such as stack traces", () => {
    expect(formatConsoleLine("ingress", "    at main (file:///main.js:1:1)", quiet)).toBe("ingress  |     at main (file:///main.js:1:1)");
    expect(formatConsoleLine("ingress", "{not json", quiet)).toBe("ingress  | {not json");
  });

  it("keeps nats-server's info lines and warnings in its log file", () => {
    expect(formatConsoleLine("nats", "[123] 2025/01/01 10:00:00.000000 [INF] Server is ready", quiet)).toBeUndefined();
    const payloadWarning = "[4242] 2026/11/30 06:51:02.123456 [WRN] Maximum payloads over 8.00 MB are generally discouraged and could lead to poor performance";
    expect(formatConsoleLine("nats-server", payloadWarning, quiet)).toBeUndefined();
    expect(formatConsoleLine("nats-server", payloadWarning, loud)).toBe(`nats-server | ${payloadWarning}`);
  });

  it("shows nats-server's errors", () => {
    expect(formatConsoleLine("nats", "[123] 2025/01/01 10:00:00.000000 [ERR] Error listening on port: 4222", quiet)).toBe(
      "nats     | [123] 2025/01/01 10:00:00.000000 [ERR] Error listening on port: 4222",
    );
    expect(formatConsoleLine("nats", "[123] 2025/01/01 10:00:00.000000 [FTL] Can't start JetStream", quiet)).toBe(
      "nats     | [123] 2025/01/01 10:00:00.000000 [FTL] Can't start JetStream",
    );
  });

  it("shows a service line that merely mentions a nats-server level", () => {
    expect(formatConsoleLine("router", "retrying after [WRN] from upstream", quiet)).toBe("router   | retrying after [WRN] from upstream");
  });

  it("drops blank lines", () => {
    expect(formatConsoleLine("router", "   ", loud)).toBeUndefined();
  });
});
