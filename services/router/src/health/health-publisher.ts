import type { EndpointHealth } from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import type { EndpointHealthTracker } from "./endpoint-health-tracker.js";

/** Fresh uptime and medians reach ingress every 5 s at most: they only order sorts; statuses go out at once. */
export const defaultHealthFiguresIntervalMs = 5_000;

export interface HealthPublisherOptions {
  tracker: Pick<EndpointHealthTracker, "healthAt" | "nextEjectionEnd">;
  /**
   * Writes the routing snapshot with this health over `expectedRevision` (KV compare-and-set); the new
   * revision, or null when another router replica wrote first.
   */
  write: (health: Record<string, EndpointHealth>, expectedRevision: number) => Promise<number | null>;
  /** Fresh figures (uptime, medians) are published at most this often when no status changed. */
  figuresIntervalMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Decides when the router republishes the routing snapshot for health: at once when an endpoint's status
 * changes (ejected, or back), so every ingress sees an ejection within a second; with new figures at most
 * every `figuresIntervalMs`; never once per report.
 *
 * Several router replicas: every replica hears every outcome report (no queue group), so all judge the
 * same traffic alike. A replica writes only over the revision it has seen (compare-and-set); when another
 * replica wrote first, its watch brings the newer snapshot, and it writes again only if that snapshot's
 * statuses differ from its own judgement. Replicas that agree therefore write once between them, and a
 * replica that just started (and put the catalog without health) is corrected by the others at once.
 */
export class HealthPublisher {
  private revision = 0;
  private published: Record<string, EndpointHealth> = {};
  private publishedTable: ReadonlyMap<string, EndpointHealth> = new Map();
  private publishedAt = 0;
  private writing = false;
  private again = false;
  private ejectionTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: HealthPublisherOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The snapshot now in the bucket (written by any replica, seen through the watch or our own write). */
  observe(revision: number, health: Record<string, EndpointHealth> | undefined, publishedAt: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    this.setPublished(health ?? {});
    this.publishedAt = publishedAt;
    this.evaluate();
  }

  /**
   * The health in the snapshot now in the bucket, by endpoint id: what every ingress ranks by, so the
   * router's own `route` endpoint ranks by it too (rather than by this replica's unpublished judgement).
   */
  get publishedHealth(): ReadonlyMap<string, EndpointHealth> {
    return this.publishedTable;
  }

  /** Looks at the tracker's judgement after new reports (or an ejection's end) and publishes if it must. */
  evaluate(): void {
    if (this.stopped) return;
    if (this.writing) {
      this.again = true;
      return;
    }
    const now = this.now();
    const health = Object.fromEntries(this.options.tracker.healthAt(now));
    this.scheduleEjectionEnd(now);
    const statusChanged = statusesDiffer(this.published, health);
    const figuresDue = now - this.publishedAt >= this.options.figuresIntervalMs && JSON.stringify(this.published) !== JSON.stringify(health);
    if (this.revision === 0 || (!statusChanged && !figuresDue)) return;
    this.writing = true;
    const expected = this.revision;
    this.options
      .write(health, expected)
      .then((revision) => {
        // null: another replica wrote first; the watch brings its snapshot and observe() decides again.
        if (revision !== null && revision > this.revision) {
          this.revision = revision;
          this.setPublished(health);
          this.publishedAt = now;
        }
      })
      .catch((error: unknown) => this.options.logger.warn({ err: error }, "routing snapshot with health not published; trying again with the next report"))
      .finally(() => {
        this.writing = false;
        if (this.again) {
          this.again = false;
          this.evaluate();
        }
      });
  }

  stop(): void {
    this.stopped = true;
    if (this.ejectionTimer !== undefined) clearTimeout(this.ejectionTimer);
  }

  private setPublished(health: Record<string, EndpointHealth>): void {
    this.published = health;
    this.publishedTable = new Map(Object.entries(health));
  }

  /** An ejection that ends changes a status without any report: look again then. */
  private scheduleEjectionEnd(now: number): void {
    if (this.ejectionTimer !== undefined) clearTimeout(this.ejectionTimer);
    this.ejectionTimer = undefined;
    const next = this.options.tracker.nextEjectionEnd(now);
    if (next === null) return;
    this.ejectionTimer = setTimeout(() => this.evaluate(), Math.max(next - now, 0));
    this.ejectionTimer.unref();
  }
}

/** True when some endpoint's status differs; an endpoint absent from one side counts as healthy there. */
function statusesDiffer(left: Record<string, EndpointHealth>, right: Record<string, EndpointHealth>): boolean {
  for (const endpointId of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if ((left[endpointId]?.status ?? "healthy") !== (right[endpointId]?.status ?? "healthy")) return true;
  }
  return false;
}
