import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { formatCurl, formatReadySummary } from "./format-summary.js";

describe("formatCurl", () => {
  it("prints a chat completion request a shell runs as is", () => {
    const curl = formatCurl({ apiBaseUrl: "http://127.0.0.1:8080/api/v1", apiKey: "sk-sb-v1-abc", model: "switchboard/echo" });
    expect(curl).toBe(
      [
        "curl http://127.0.0.1:8080/api/v1/chat/completions \\",
        "  -H 'Authorization: Bearer sk-sb-v1-abc' \\",
        "  -H 'Content-Type: application/json' \\",
        `  -d '{"model":"switchboard/echo","messages":[{"role":"user","content":"Hello, Switchboard!"}]}'`,
      ].join("\n"),
    );
  });

  it("quotes single quotes for the shell", () => {
    const curl = formatCurl({ apiBaseUrl: "http://h/api/v1", apiKey: "it's", model: "a/b" });
    const words = execFileSync("sh", ["-c", `printf '%s\\n' ${curl.replace(/^curl /, "").replace(/\\\n/g, " ")}`], { encoding: "utf8" }).split("\n");
    expect(words).toContain("Authorization: Bearer it's");
  });
});

describe("formatReadySummary", () => {
  const summary = {
    apiBaseUrl: "http://127.0.0.1:8080/api/v1",
    apiKey: "sk-sb-v1-abc",
    keyCreated: true,
    demoAccountFile: ".switchboard/demo.json",
    adminKey: "sb-admin-xyz",
    adminKeyGenerated: true,
    model: "switchboard/echo",
    logDirectory: ".switchboard/logs",
    elapsedMs: 3_140,
  };

  it("shows the URL, both keys, where the key is kept, and the curl", () => {
    const text = formatReadySummary(summary);
    expect(text).toContain("Switchboard is ready (3.1 s).");
    expect(text).toContain("API base URL  http://127.0.0.1:8080/api/v1");
    expect(text).toContain("API key       sk-sb-v1-abc");
    expect(text).toContain("saved in .switchboard/demo.json with mode 0600");
    expect(text).toContain("Admin key     sb-admin-xyz");
    expect(text).toContain("set SWITCHBOARD_ADMIN_KEY to keep one");
    expect(text).toContain("  curl http://127.0.0.1:8080/api/v1/chat/completions");
    expect(text).toContain("Ctrl-C");
  });

  it("says when there is no model to try", () => {
    expect(formatReadySummary({ ...summary, model: undefined, keyCreated: false, adminKeyGenerated: false })).toContain("lists no model");
  });
});
