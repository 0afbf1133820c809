import { setTimeout as sleep } from "node:timers/promises";
import type { ManagedProcess } from "../../tools/launcher/src/managed-process.js";

/**
 * Polls ingress's `/readyz` until it answers 200 with billing answering too (ingress is ready without it,
 * but a test goes on to create accounts), failing at once when a service process exits during start-up
 * (with its last lines), and after 30 s with the last answer.
 */
export async function waitUntilReady(origin: string, services: readonly ManagedProcess[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = "no answer";
  while (Date.now() < deadline) {
    const exited = services.find((service) => service.hasExited());
    if (exited) throw new Error(`${exited.name} exited during start-up:\n${exited.recentLines().join("\n")}`);
    try {
      const response = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(2_000) });
      const text = await response.text();
      last = `${response.status} ${text}`;
      if (response.status === 200 && (JSON.parse(text) as { checks?: { billing?: unknown } }).checks?.billing === true) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`ingress was not ready within 30 s (last answer: ${last})`);
}
