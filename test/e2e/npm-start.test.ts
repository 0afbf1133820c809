import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const launcher = join(repositoryRoot, "tools/launcher/dist/main.js");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

/**
 * `npm start` as a new user runs it (issue #3 acceptance): compiled services as separate processes,
 * an embedded PostgreSQL and a nats-server of its own, then the printed curl, run as printed.
 */
describe("npm start", () => {
  let child: ChildProcess | undefined;
  let stateDirectory = "";

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    if (stateDirectory) await rm(stateDirectory, { recursive: true, force: true });
  });

  it("prints a base URL, a key and a curl that works, and stops cleanly on Ctrl-C", async () => {
    expect(existsSync(launcher), "run `npm run build` first").toBe(true);
    stateDirectory = await mkdtemp(join(tmpdir(), "switchboard-start-"));
    // As root, the embedded PostgreSQL runs as the `postgres` user, which must reach its data folder.
    await chmod(stateDirectory, 0o755);
    const port = await freePort();
    const environment: Record<string, string | undefined> = { ...process.env, PORT: String(port), SWITCHBOARD_STATE_DIR: stateDirectory };
    for (const name of ["DATABASE_URL", "NATS_URL", "SWITCHBOARD_CATALOG", "SWITCHBOARD_ADMIN_KEY", "SWITCHBOARD_NATS_NAMESPACE"]) delete environment[name];
    child = spawn(process.execPath, [launcher], { cwd: repositoryRoot, env: environment, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child?.on("exit", (code) => resolve(code)));

    const deadline = Date.now() + 60_000;
    while (!output.includes("Press Ctrl-C to stop.")) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`launcher did not become ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain(`http://127.0.0.1:${port}/api/v1`);
    expect(output).toMatch(/sk-sb-v1-[0-9a-f]{64}/);

    const curlLines = output.split("\n").filter((line, index, lines) => line.trimStart().startsWith("curl ") || (index > 0 && lines[index - 1]?.trimEnd().endsWith("\\")));
    const command = curlLines.join("\n");
    expect(command).toContain("/chat/completions");
    const curl = spawnSync("bash", ["-c", `${command} --silent --show-error --fail-with-body`], { encoding: "utf8", timeout: 10_000 });
    expect(curl.status, curl.stderr).toBe(0);
    const completion = JSON.parse(curl.stdout) as { id: string; choices: { message: { content: string } }[]; usage: { cost: number } };
    expect(completion.id).toMatch(/^gen-/);
    expect(completion.choices[0]?.message.content).toMatch(/^Echo: /);
    expect(completion.usage.cost).toBeGreaterThan(0);

    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("timeout"), 20_000))]);
    expect(code).toBe(0);
    // Nothing the launcher started outlives it.
    const leftovers = spawnSync("bash", ["-c", `ps -eo args | grep -F -- "${stateDirectory}" | grep -v grep || true`], { encoding: "utf8" }).stdout.trim();
    expect(leftovers).toBe("");
  }, 90_000);
});
