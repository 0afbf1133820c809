import { setTimeout as sleep } from "node:timers/promises";
import { SwitchboardApiError } from "./switchboard-api.js";

export interface RetryWhileStartingOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Runs `attempt` again while ingress answers 503, until `timeoutMs` has passed. Ingress is ready once it
 * holds a routing snapshot and billing answers, but the provider connector starts serving only after its
 * own snapshot arrives (up to 2 s later when the router made the routing bucket after the connector first
 * looked for it): a first request in that window meets "the provider-connector service is not running".
 */
export async function retryWhileStarting<T>(attempt: () => Promise<T>, options: RetryWhileStartingOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const starting = error instanceof SwitchboardApiError && error.status === 503;
      if (!starting || Date.now() >= deadline) throw error;
    }
    await sleep(options.intervalMs ?? 250);
  }
}
