import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { allBusIdentities, busIdentities, connectNats, inboxPrefixFor } from "@switchboard/messaging";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../tools/launcher/src/free-port.js";
import { parseNatsPortsFile } from "../../tools/launcher/src/nats-ports-file.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const launcher = join(repositoryRoot, "tools/launcher/dist/main.js");
const readyLine = "Press Ctrl-C to stop.";
const apiKeyPattern = /sk-sb-v2-[0-9a-f]{72}/;

/** The environment of someone typing `npm start`: no outer npm run, no existing servers, a free port. */
function launchEnvironment(port: number, extra: Record<string, string> = {}): Record<string, string | undefined> {
  const inherited = Object.entries(process.env).filter(
    ([name]) => name !== "DATABASE_URL" && name !== "NATS_URL" && name !== "INIT_CWD" && !name.startsWith("npm_") && !name.startsWith("SWITCHBOARD_"),
  );
  return { ...Object.fromEntries(inherited), PORT: String(port), ...extra };
}

/** A launch whose output is collected; `exited` resolves with the exit code. */
interface Launch {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function launch(command: string, args: string[], options: { cwd: string; environment: Record<string, string | undefined>; ownProcessGroup: boolean }): Launch {
  const child = spawn(command, args, { cwd: options.cwd, env: options.environment, stdio: ["ignore", "pipe", "pipe"], detached: options.ownProcessGroup });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(started: Launch, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(readyLine)) {
    if (started.child.exitCode !== null || Date.now() > deadline) throw new Error(`launcher did not become ready:\n${started.output()}`);
    await sleep(100);
  }
  return started.output();
}

/** Runs the curl the launcher printed, as printed, and checks the demo answer. */
function runPrintedCurl(output: string): void {
  const curlLines = output.split("\n").filter((line, index, lines) => line.trimStart().startsWith("curl ") || (index > 0 && lines[index - 1]?.trimEnd().endsWith("\\")));
  const command = curlLines.join("\n");
  expect(command).toContain("/chat/completions");
  const curl = spawnSync("bash", ["-c", `${command} --silent --show-error --fail-with-body`], { encoding: "utf8", timeout: 10_000 });
  expect(curl.status, curl.stderr).toBe(0);
  const completion = JSON.parse(curl.stdout) as { id: string; choices: { message: { content: string } }[]; usage: { cost: number } };
  expect(completion.id).toMatch(/^gen-/);
  expect(completion.choices[0]?.message.content).toMatch(/^Echo: /);
  expect(completion.usage.cost).toBeGreaterThan(0);
}

/** The launcher's nats-server URL, from the ports file it records in `<state>/run/` (nats-server_<pid>.ports). */
async function launchedNatsUrl(stateDirectory: string): Promise<string> {
  const run = join(stateDirectory, "run");
  const portsFiles = (await readdir(run)).filter((name) => /^nats-server_\d+\.ports$/.test(name));
  expect(portsFiles).toHaveLength(1);
  return parseNatsPortsFile(await readFile(join(run, portsFiles[0] as string), "utf8"));
}

/**
 * Issue 8 acceptance: the launcher's nats-server lets in no client without an identity, while a service's
 * identity (the seed the launcher gave it, 0600 in a 0700 directory) gets in.
 */
async function expectLockedDownBus(stateDirectory: string, output: string): Promise<void> {
  expect(output).toContain("NATS bus      authenticated: each service connects as its own nkey identity");
  const busDirectory = join(stateDirectory, "bus");
  expect((await stat(busDirectory)).mode & 0o777).toBe(0o700);
  for (const identity of allBusIdentities) expect((await stat(join(busDirectory, `${identity}.nk`))).mode & 0o777, identity).toBe(0o600);

  const url = await launchedNatsUrl(stateDirectory);
  await expect(connect({ servers: url, maxReconnectAttempts: 0, timeout: 3_000 })).rejects.toThrow(/authorization violation/i);
  const asIngress = await connectNats({
    servers: url,
    name: "npm-start-test",
    identity: busIdentities.ingress,
    credentials: { nkeySeedFile: join(busDirectory, "ingress.nk") },
    inboxPrefix: inboxPrefixFor("sb", busIdentities.ingress),
    reconnect: false,
  });
  await asIngress.close();
}

async function exitCodeWithin(started: Launch, timeoutMs: number): Promise<number | null | "timeout"> {
  return Promise.race([started.exited, sleep(timeoutMs).then(() => "timeout" as const)]);
}

/** Command lines of running processes that mention any of `paths`; waits briefly for them to go. */
async function processesMentioning(paths: readonly string[]): Promise<string[]> {
  let found: string[] = [];
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const listing = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
    found = listing.split("\n").filter((line) => paths.some((path) => line.includes(path)));
    if (found.length === 0) break;
    await sleep(200);
  }
  return found;
}

/** Stops a launch the test left running and removes its state directory and relocated cluster. */
async function cleanUpLaunch(started: Launch | undefined, stateDirectory: string): Promise<void> {
  if (started && started.child.exitCode === null) started.child.kill("SIGKILL");
  if (stateDirectory) await rm(stateDirectory, { recursive: true, force: true });
  // Run as root from a checkout the postgres user cannot enter (CI may clone into one), the launcher
  // copied PostgreSQL's binaries out of it, keyed by this run's state directory: leave nothing behind.
  const relocated = /its cluster lives in (\/var\/lib\/switchboard\/[^)\s]+)\)/.exec(started?.output() ?? "");
  if (relocated?.[1]) await rm(relocated[1], { recursive: true, force: true });
}

/**
 * `npm start` as a new user runs it (issue #3 acceptance): compiled services as separate processes,
 * an embedded PostgreSQL and a nats-server of its own, then the printed curl, run as printed.
 */
describe("npm start", () => {
  let started: Launch | undefined;
  let stateDirectory = "";

  afterAll(() => cleanUpLaunch(started, stateDirectory));

  it("prints a base URL, a key and a curl that works on a bus that refuses clients without an identity, and stops cleanly on Ctrl-C", async () => {
    expect(existsSync(launcher), "run `npm run build` first").toBe(true);
    stateDirectory = await mkdtemp(join(tmpdir(), "switchboard-start-"));
    // As root, the embedded PostgreSQL runs as the `postgres` user, which must reach its data folder.
    await chmod(stateDirectory, 0o755);
    const port = await findFreePort();
    started = launch(process.execPath, [launcher], { cwd: repositoryRoot, environment: launchEnvironment(port, { SWITCHBOARD_STATE_DIR: stateDirectory }), ownProcessGroup: false });

    const output = await waitForReady(started, 60_000);
    expect(output).toContain(`http://127.0.0.1:${port}/api/v1`);
    expect(output).toMatch(apiKeyPattern);
    runPrintedCurl(output);
    await expectLockedDownBus(stateDirectory, output);

    started.child.kill("SIGINT");
    expect(await exitCodeWithin(started, 20_000)).toBe(0);
    // Nothing the launcher started outlives it.
    expect(await processesMentioning([stateDirectory])).toEqual([]);
  }, 90_000);
});

/**
 * Issue 8: with NATS_URL the bus is the user's; the launcher makes no identities, passes on the NATS_*
 * credentials the user set (none here), and the services say the bus is unauthenticated.
 */
describe("npm start with NATS_URL (the user's own NATS server)", () => {
  let started: Launch | undefined;
  let stateDirectory = "";

  afterAll(() => cleanUpLaunch(started, stateDirectory));

  it("invents no credentials, and the services warn that the bus is unauthenticated", async () => {
    stateDirectory = await mkdtemp(join(tmpdir(), "switchboard-start-nats-url-"));
    await chmod(stateDirectory, 0o755);
    const port = await findFreePort();
    const natsUrl = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
    // Its own namespace on the shared server, as every test has.
    const environment = launchEnvironment(port, { SWITCHBOARD_STATE_DIR: stateDirectory, NATS_URL: natsUrl, SWITCHBOARD_NATS_NAMESPACE: `npmstart${Date.now()}` });
    started = launch(process.execPath, [launcher], { cwd: repositoryRoot, environment, ownProcessGroup: false });

    const output = await waitForReady(started, 60_000);
    expect(output).toContain(`using NATS at ${natsUrl} (NATS_URL), without credentials`);
    expect(output).toContain("(without credentials: the services log that the bus is unauthenticated)");
    expect(output).toContain("the NATS bus is unauthenticated");
    expect(existsSync(join(stateDirectory, "bus"))).toBe(false);
    runPrintedCurl(output);

    started.child.kill("SIGINT");
    expect(await exitCodeWithin(started, 20_000)).toBe(0);
  }, 90_000);
});

/** The files of a fresh checkout of this working tree, uncommitted work included: tracked and untracked, not ignored. */
async function copyCheckout(target: string): Promise<void> {
  const listing = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: repositoryRoot, encoding: "utf8" });
  expect(listing.status, listing.stderr).toBe(0);
  for (const file of listing.stdout.split("\0").filter((name) => name !== "")) {
    const source = join(repositoryRoot, file);
    // Deleted in the working tree but still in the index.
    if (!existsSync(source)) continue;
    await mkdir(dirname(join(target, file)), { recursive: true });
    await cp(source, join(target, file), { verbatimSymlinks: true });
  }
  expect(spawnSync("git", ["init", "--quiet"], { cwd: target }).status).toBe(0);
}

const rootOnly = process.getuid?.() === 0;

/**
 * Issue #6 acceptance: as root, PostgreSQL runs as the user `postgres`, which cannot enter a checkout
 * under /root or any 0700 directory; `npm start` must still just work, and keep its demo key.
 */
describe.skipIf(!rootOnly)("npm start as root from a checkout the postgres user cannot enter (skipped unless run as root)", () => {
  let privateDirectory = "";
  let outsideDirectory = "";
  let started: Launch | undefined;

  afterAll(async () => {
    // Its own process group: the launcher, its children and PostgreSQL.
    if (started && started.child.exitCode === null && started.child.pid !== undefined) process.kill(-started.child.pid, "SIGKILL");
    if (privateDirectory) await rm(privateDirectory, { recursive: true, force: true });
    if (outsideDirectory) {
      await rm(outsideDirectory, { recursive: true, force: true });
      // /var/lib/switchboard itself only when no other checkout's cluster is in it.
      await rmdir(dirname(outsideDirectory)).catch(() => undefined);
    }
  });

  /** `npm start` in the checkout, then the printed curl, then Ctrl-C (SIGINT to the process group, as a terminal sends it). */
  async function startUseAndStop(checkout: string, timeoutMs: number): Promise<string> {
    const port = await findFreePort();
    started = launch("npm", ["start"], { cwd: checkout, environment: launchEnvironment(port), ownProcessGroup: true });
    const output = await waitForReady(started, timeoutMs);
    expect(output).toContain(`http://127.0.0.1:${port}/api/v1`);
    runPrintedCurl(output);
    await expectLockedDownBus(join(checkout, ".switchboard"), output);
    process.kill(-(started.child.pid as number), "SIGINT");
    expect(await exitCodeWithin(started, 20_000), started.output()).toBe(0);
    return started.output();
  }

  it("starts, answers the printed curl, stops on Ctrl-C with nothing left, and keeps the demo key and the bus identities", async () => {
    privateDirectory = await mkdtemp(join(tmpdir(), "switchboard-private-"));
    await chmod(privateDirectory, 0o700);
    const checkout = join(privateDirectory, "switchboard");
    await copyCheckout(checkout);
    // The tests run offline: the installed packages of this checkout stand in for `npm install`. The
    // workspace links in node_modules/@switchboard are relative, so they point into the copy.
    const copied = spawnSync("cp", ["-a", join(repositoryRoot, "node_modules"), join(checkout, "node_modules")], { encoding: "utf8" });
    expect(copied.status, copied.stderr).toBe(0);

    // The first start builds the checkout (as `npm start` does) and creates the cluster.
    const first = await startUseAndStop(checkout, 120_000);
    const relocated = /its cluster lives in (\/var\/lib\/switchboard\/switchboard-[0-9a-f]+)\)/.exec(first);
    expect(relocated, first).not.toBeNull();
    outsideDirectory = relocated?.[1] ?? "";
    expect(await processesMentioning([checkout, outsideDirectory])).toEqual([]);

    const seedFile = join(checkout, ".switchboard", "bus", "ingress.nk");
    const firstSeed = await readFile(seedFile, "utf8");
    expect(first).toContain("created 6 nkey identities in .switchboard/bus/");

    const second = await startUseAndStop(checkout, 60_000);
    expect(second.match(apiKeyPattern)?.[0]).toBe(first.match(apiKeyPattern)?.[0]);
    // Issue 8: the identities of the first launch are reused, not made again.
    expect(await readFile(seedFile, "utf8")).toBe(firstSeed);
    expect(second).not.toContain("nkey identities in");
    expect(await processesMentioning([checkout, outsideDirectory])).toEqual([]);
  }, 240_000);
});
