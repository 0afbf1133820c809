import { describeExit, startManagedProcess, type ManagedProcess } from "./managed-process.js";

/** Compiled entry of the fake upstream (test/fake-upstream) relative to the repository root. */
export const demoUpstreamEntryPoint = "test/dist/fake-upstream/main.js";

/** The URL from the fake upstream's start-up line `{"url":"http://127.0.0.1:PORT/v1"}`, if this is it. */
export function parseListeningLine(line: string): string | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const url = (JSON.parse(line) as { url?: unknown } | null)?.url;
    return typeof url === "string" && /^https?:\/\//.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

export interface StartDemoUpstreamOptions {
  cwd: string;
  logFile: string;
  environment: Readonly<Record<string, string | undefined>>;
  onLine?: (line: string) => void;
  onSpawned: (process: ManagedProcess) => void;
  timeoutMs?: number;
}

/** Starts the local echo upstream behind the `demo` provider on a random port and returns its base URL. */
export async function startDemoUpstream(options: StartDemoUpstreamOptions): Promise<{ url: string; process: ManagedProcess }> {
  let announce: (url: string) => void = () => undefined;
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const upstream = await startManagedProcess({
    name: "demo-upstream",
    command: process.execPath,
    args: [demoUpstreamEntryPoint],
    cwd: options.cwd,
    environment: { ...options.environment, PORT: "0", HOST: "127.0.0.1" },
    logFile: options.logFile,
    onLine: (line) => {
      const url = parseListeningLine(line);
      if (url !== undefined) announce(url);
      else options.onLine?.(line);
    },
  });
  options.onSpawned(upstream);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    announced.then((url) => ({ url })),
    upstream.exited.then((exit) => ({ exit })),
    new Promise<{ timeout: true }>((resolve) => (timer = setTimeout(() => resolve({ timeout: true }), options.timeoutMs ?? 10_000))),
  ]);
  clearTimeout(timer);
  if ("url" in outcome) return { url: outcome.url, process: upstream };
  if ("exit" in outcome) {
    throw new Error(`The demo upstream stopped during start-up (${describeExit(outcome.exit)}):\n${upstream.recentLines().join("\n")}`);
  }
  throw new Error(`The demo upstream did not print its URL in time; see ${options.logFile}`);
}
