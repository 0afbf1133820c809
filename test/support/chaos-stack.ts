import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { createSubjects } from "@switchboard/contracts";
import { busIdentities, connectNats, inboxPrefixFor } from "@switchboard/messaging";
import { createLockedDownNatsServer, type LockedDownNatsServer } from "./locked-down-nats-server.js";
import type { PrivateNatsServer } from "./private-nats-server.js";
import { startProcessStack, processStackNamespace, type ProcessStack } from "./process-stack.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

/**
 * Holds and waits short enough that a chaos run can watch them expire and settle within a minute: a
 * reservation left by a killed process comes back after 12 s + one 1 s sweep, a lease after 24 s + one
 * sweep, a generation whose ingress died is charged from the connector's usage report after 2 s.
 */
export const chaosTimings = {
  sweepIntervalSeconds: 1,
  usageReportGraceSeconds: 2,
  reservationTtlSeconds: 12,
  /**
   * Ingress uses a lease for TTL − GENERATION_MAX_DURATION_MS − 5 s and renews it halfway: with 24 s and
   * 5 s, a lease still covers the first 7 s of a dead billing (as the 15 minutes of the defaults would),
   * so generations are served and their facts settled after billing's restart.
   */
  creditLeaseTtlSeconds: 24,
  /** Below the lease TTL, as billing's configuration asks; the chaos answers take under a second. */
  generationMaxDurationMs: 5_000,
  /** The least the connector accepts: two of ingress's one-second heartbeats. */
  ingressSilenceMs: 2_000,
  /** An open generation whose connector died ends with an error after this long without a part (before the 5 s limit). */
  generationIdleTimeoutMs: 3_000,
} as const;

/** The process stack of a chaos run, on its own locked-down nats-server and a fresh database. */
export interface ChaosStack {
  readonly stack: ProcessStack;
  readonly database: TestDatabase;
  /** Where the services' logs are; kept after a failed run. */
  readonly logDirectory: string;
  /**
   * Billing's two durable consumers as JetStream sees them (pending, delivered but unacknowledged,
   * redelivered), read as billing's bus identity: what a failure report needs to tell a fact still on its
   * way from one that was lost.
   */
  describeBillingConsumers(): Promise<string>;
  /** Kills whatever still runs and removes everything; the logs stay when `keepLogs`. */
  close(keepLogs: boolean): Promise<void>;
}

export async function startChaosStack(): Promise<ChaosStack> {
  const directory = await mkdtemp(path.join(tmpdir(), "switchboard-chaos-"));
  let nats: PrivateNatsServer | undefined;
  let database: TestDatabase | undefined;
  let stack: ProcessStack | undefined;
  let seedFiles: LockedDownNatsServer["seedFiles"] = {} as LockedDownNatsServer["seedFiles"];
  const close = async (keepLogs: boolean) => {
    await stack?.kill();
    await nats?.stop("SIGKILL");
    await database?.drop();
    if (keepLogs) await rm(path.join(directory, "nats-store"), { recursive: true, force: true });
    else await rm(directory, { recursive: true, force: true });
  };
  try {
    // Locked down as deployed (issue 8): each service connects as its own identity.
    const lockedDown = await createLockedDownNatsServer({ directory, namespace: processStackNamespace });
    seedFiles = lockedDown.seedFiles;
    nats = lockedDown.server;
    await nats.start();
    database = await createTestDatabase();
    stack = await startProcessStack({
      natsUrl: nats.url,
      databaseUrl: database.connectionString,
      directory,
      busSeedFiles: lockedDown.seedFiles,
      environment: {
        SWEEP_INTERVAL_SECONDS: String(chaosTimings.sweepIntervalSeconds),
        USAGE_REPORT_GRACE_SECONDS: String(chaosTimings.usageReportGraceSeconds),
        RESERVATION_TTL_SECONDS: String(chaosTimings.reservationTtlSeconds),
        CREDIT_LEASE_TTL_SECONDS: String(chaosTimings.creditLeaseTtlSeconds),
        GENERATION_MAX_DURATION_MS: String(chaosTimings.generationMaxDurationMs),
        GENERATION_IDLE_TIMEOUT_MS: String(chaosTimings.generationIdleTimeoutMs),
        INGRESS_SILENCE_MS: String(chaosTimings.ingressSilenceMs),
      },
    });
    // The chaos traffic's user messages are `stream <n>` and `whole <n>` (steady-traffic.ts): streams
    // last about 300 ms, whole answers 100 ms, so a kill always finds generations in flight.
    stack.upstream.addRule(/^stream /, { chunks: Array.from({ length: 10 }, (_, index) => `word${index} `), delayBetweenChunksMs: 30 });
    stack.upstream.addRule(/^whole /, { text: "a whole answer", delayBeforeHeadersMs: 100 });
  } catch (error) {
    await close(true);
    throw error;
  }
  const started = { stack, database };
  const natsUrl = nats.url;
  const describeBillingConsumers = async () => {
    const subjects = createSubjects(processStackNamespace);
    const connection = await connectNats({
      servers: natsUrl,
      name: "chaos-diagnosis",
      identity: busIdentities.billing,
      credentials: { nkeySeedFile: seedFiles.billing },
      inboxPrefix: inboxPrefixFor(processStackNamespace, busIdentities.billing),
      reconnect: false,
    });
    try {
      const manager = await jetstreamManager(connection);
      const lines: string[] = [];
      for (const durable of [subjects.billingConsumer, subjects.billingUsageReportConsumer]) {
        try {
          const info = await manager.consumers.info(subjects.factsStream, durable);
          lines.push(
            `${durable}: ${info.num_pending} pending, ${info.num_ack_pending} delivered and not acknowledged, ${info.num_redelivered} redelivered, ack floor ${info.ack_floor.stream_seq}, delivered up to ${info.delivered.stream_seq}`,
          );
        } catch (error) {
          lines.push(`${durable}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return lines.join("; ");
    } finally {
      await connection.close();
    }
  };
  return { ...started, logDirectory: path.join(directory, "logs"), describeBillingConsumers, close };
}
