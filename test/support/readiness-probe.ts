import { setTimeout as sleep } from "node:timers/promises";

/** One `GET /readyz`, on the clock of `performance.now()`. */
export interface ReadinessAnswer {
  startedAt: number;
  endedAt: number;
  /** Undefined when no HTTP answer came (connection refused, timeout). */
  status?: number;
  body?: string;
}

/** Polls `/readyz` one request after the other, as a load balancer's health check would. */
export interface ReadinessProbe {
  readonly answers: readonly ReadinessAnswer[];
  stop(): Promise<void>;
}

export function startReadinessProbe(origin: string, intervalMs: number): ReadinessProbe {
  const answers: ReadinessAnswer[] = [];
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const startedAt = performance.now();
      try {
        const response = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(5_000) });
        const body = await response.text();
        answers.push({ startedAt, endedAt: performance.now(), status: response.status, body });
      } catch {
        answers.push({ startedAt, endedAt: performance.now() });
      }
      await sleep(intervalMs);
    }
  })();
  return {
    answers,
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
