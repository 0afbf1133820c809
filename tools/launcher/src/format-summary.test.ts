import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { formatCurl, formatReadySummary, type ReadySummary } from "./format-summary.js";

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
  const summary: ReadySummary = {
    apiBaseUrl: "http://127.0.0.1:8080/api/v1",
    apiKey: "sk-sb-v1-abc",
    keyCreated: true,
    demoAccountFile: ".switchboard/demo.json",
    adminKey: "sb-admin-xyz",
    adminKeyGenerated: true,
    model: "switchboard/echo",
    logDirectory: ".switchboard/logs",
    bus: { kind: "own-server", identityDirectory: ".switchboard/bus" },
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

  it("says the launcher's bus is authenticated and where the identities live (issue 8)", () => {
    const text = formatReadySummary(summary);
    expect(text).toContain("NATS bus      authenticated: each service connects as its own nkey identity");
    expect(text).toContain("(seeds in .switchboard/bus/, mode 0600)");
  });

  it("says whether the user's own NATS gets credentials", () => {
    const withCredentials = formatReadySummary({ ...summary, bus: { kind: "user-server", url: "nats://nats:4222", credentialsSet: true } });
    expect(withCredentials).toContain("NATS bus      nats://nats:4222 (NATS_URL)");
    expect(withCredentials).toContain("with the NATS_* credentials you set");
    const without = formatReadySummary({ ...summary, bus: { kind: "user-server", url: "nats://nats:4222", credentialsSet: false } });
    expect(without).toContain("without credentials: the services log that the bus is unauthenticated");
  });

  it("says when there is no model to try", () => {
    expect(formatReadySummary({ ...summary, model: undefined, keyCreated: false, adminKeyGenerated: false })).toContain("lists no model");
  });
});
