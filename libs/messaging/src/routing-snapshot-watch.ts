import { JetStreamApiCodes } from "@nats-io/jetstream";
import { Kvm, type KvWatchEntry } from "@nats-io/kv";
import type { NatsConnection, QueuedIterator } from "@nats-io/transport-node";
import { routingSnapshotSchema, type RoutingSnapshot, type Subjects } from "@switchboard/contracts";
import type { Logger } from "pino";
import { jetStreamPermissionSubjects } from "./bus-security/jetstream-permission-subjects.js";

/** A routing snapshot as a watcher received it. */
export interface RoutingSnapshotUpdate {
  snapshot: RoutingSnapshot;
  /** The KV revision of the entry: increases with every publication. */
  revision: number;
}

export interface RoutingSnapshotWatchOptions {
  logger: Logger;
  /** Called with every newer snapshot, in revision order, on the watch's own task. */
  onSnapshot: (update: RoutingSnapshotUpdate) => void;
  /** Wait before watching again after the watch failed (NATS down, bucket deleted). */
  retryDelayMs?: number;
}

/**
 * Follows the routing snapshot in the routing KV bucket: the current one first, then each new revision
 * as the router publishes it (a KV watch is an ordered push consumer, so updates arrive without polling).
 * A watch that fails is started again; a repeated revision is not applied twice, and a snapshot that
 * does not parse is logged and skipped, keeping the last good one.
 */
export class RoutingSnapshotWatch {
  private stopped = false;
  private iterator: QueuedIterator<KvWatchEntry> | undefined;
  private revision = 0;
  private waitingForRouter = false;
  /** Ends the pause between two watches early; set while one runs. */
  private wakeUp: (() => void) | undefined;
  /** The bucket was created since the last watch failed: watch again without pausing. */
  private bucketCreated = false;
  private readonly arrived: Promise<void>;
  private markArrived: () => void = () => undefined;

  constructor(
    private readonly connection: NatsConnection,
    private readonly subjects: Subjects,
    private readonly options: RoutingSnapshotWatchOptions,
  ) {
    this.arrived = new Promise((resolve) => (this.markArrived = resolve));
    void this.run();
  }

  /** The revision applied last; 0 before the first snapshot. */
  get appliedRevision(): number {
    return this.revision;
  }

  /** Resolves true once a snapshot has been applied, false if none arrives within `timeoutMs`. */
  async waitForSnapshot(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.arrived.then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): void {
    this.stopped = true;
    this.iterator?.stop();
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    // Every reader waiting for the bucket watches again the moment the router creates it (a JetStream
    // advisory), rather than after its retry delay: readers started together get the first snapshot
    // together, so ingress is never ready before the connector can take a generation.
    const creations = this.connection.subscribe(jetStreamPermissionSubjects.streamCreatedAdvisory(`KV_${this.subjects.routingBucket}`), {
      callback: () => {
        this.bucketCreated = true;
        this.wakeUp?.();
      },
    });
    try {
      await this.watchUntilStopped(logger);
    } finally {
      if (!this.connection.isClosed()) creations.unsubscribe();
    }
  }

  private async watchUntilStopped(logger: Logger): Promise<void> {
    while (!this.stopped && !this.connection.isClosed()) {
      try {
        // Opened, not created: only the router may create and write the bucket (bus permissions). Until
        // it has, the watch fails with "stream not found" and starts again once the bucket is created.
        this.bucketCreated = false;
        const bucket = await new Kvm(this.connection).open(this.subjects.routingBucket);
        const iterator = await bucket.watch({ key: this.subjects.routingSnapshotKey });
        this.iterator = iterator;
        if (this.stopped) iterator.stop();
        for await (const entry of iterator) this.apply(entry);
      } catch (error) {
        if (this.stopped || this.connection.isClosed()) break;
        if (isStreamNotFound(error)) {
          // Expected while the router has not started yet: say so once, not every second.
          if (!this.waitingForRouter) logger.info("the routing bucket does not exist yet; waiting for the router to publish a snapshot");
          this.waitingForRouter = true;
        } else {
          logger.warn({ err: error }, "routing snapshot watch failed; watching again");
        }
      }
      if (!this.stopped) await this.pause(this.options.retryDelayMs ?? 1_000);
    }
  }

  /** Waits `milliseconds`, or less if the bucket is created or the watch stopped meanwhile. */
  private async pause(milliseconds: number): Promise<void> {
    if (this.bucketCreated) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, milliseconds);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  private apply(entry: KvWatchEntry): void {
    // Within one watch revisions only grow. A watch started again begins with the current entry: the
    // same revision is skipped, a lower one means the bucket was recreated and its entry is the truth.
    if (entry.operation !== "PUT" || entry.revision === this.revision) return;
    const parsed = routingSnapshotSchema.safeParse(safeJson(entry));
    if (!parsed.success) {
      this.options.logger.error({ revision: entry.revision, issues: parsed.error.issues.slice(0, 5) }, "routing snapshot does not parse; keeping the previous one");
      return;
    }
    this.revision = entry.revision;
    this.options.onSnapshot({ snapshot: parsed.data, revision: entry.revision });
    this.markArrived();
  }
}

/** The bucket's stream does not exist (yet). */
function isStreamNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === JetStreamApiCodes.StreamNotFound;
}

function safeJson(entry: KvWatchEntry): unknown {
  try {
    return entry.json();
  } catch {
    return undefined;
  }
}
