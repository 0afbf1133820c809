import { setTimeout as sleep } from "node:timers/promises";
import { startReadinessProbe, type ReadinessAnswer } from "./readiness-probe.js";
import { startSteadyTraffic, type SteadyTrafficOptions, type TrafficRecord } from "./steady-traffic.js";

export interface OutageRunOptions {
  traffic: SteadyTrafficOptions;
  /** Stops the dependency; resolves once it is really gone. */
  stopDependency(): Promise<void>;
  /** Starts it again; resolves once it accepts clients. */
  startDependency(): Promise<void>;
  /** Steady traffic before the outage, to have generations in flight when it starts. */
  warmUpMs: number;
  /** How long the dependency stays down, counted from the moment it is gone. */
  outageMs: number;
  /** Traffic kept going after the dependency is back. */
  afterRecoveryMs: number;
  readinessIntervalMs: number;
}

/** Everything one outage run saw; times are `performance.now()` values. */
export interface OutageRun {
  stopRequestedAt: number;
  /** The dependency's process is gone. */
  downAt: number;
  restartRequestedAt: number;
  /** The dependency accepts clients again. */
  upAt: number;
  records: readonly TrafficRecord[];
  readiness: readonly ReadinessAnswer[];
}

/**
 * Steady traffic and a readiness probe around one outage of a dependency: warm up, stop it, keep it down,
 * start it again, keep the traffic going, then wait for every request still open to end.
 */
export async function runOutage(options: OutageRunOptions): Promise<OutageRun> {
  const traffic = startSteadyTraffic(options.traffic);
  const probe = startReadinessProbe(options.traffic.origin, options.readinessIntervalMs);
  try {
    await sleep(options.warmUpMs);
    const stopRequestedAt = performance.now();
    await options.stopDependency();
    const downAt = performance.now();
    await sleep(options.outageMs);
    const restartRequestedAt = performance.now();
    await options.startDependency();
    const upAt = performance.now();
    await sleep(options.afterRecoveryMs);
    return { stopRequestedAt, downAt, restartRequestedAt, upAt, records: traffic.records, readiness: probe.answers };
  } finally {
    await Promise.all([traffic.stop(), probe.stop()]);
  }
}
