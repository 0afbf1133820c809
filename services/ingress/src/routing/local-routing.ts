import { gatewayError, gatewayErrorCodes, SwitchboardError, type RouteReply, type RouteRequest } from "@switchboard/contracts";
import type { RoutingSnapshotUpdate } from "@switchboard/messaging";
import { createRoutingTable, selectRoute, type RoutingTable } from "@switchboard/routing";

/** The routing snapshot in use, indexed, for the listings ingress serves from it. */
export interface HeldCatalog {
  table: RoutingTable;
  /** When the router loaded its catalog (listings use it as `created`). */
  loadedAt: string;
}

/** What `/readyz` says about routing. */
export interface RoutingStatus {
  /** True once a snapshot is held: requests can be routed, whether or not the router still runs. */
  ready: boolean;
  /** KV revision of the snapshot in use; null before the first. */
  revision: number | null;
  /** How long ago the router published it; null before the first. */
  ageMs: number | null;
}

/**
 * Routing in process (DESIGN.md step 3): the latest routing snapshot the router published, ranked with the
 * same pure function the router uses. No request waits on the router; with the router stopped, requests
 * are routed from the last snapshot, whose age readiness reports.
 */
export class LocalRouting {
  private table: RoutingTable | undefined;
  private loadedAt = "";
  private revision: number | null = null;
  private publishedAt = 0;

  /**
   * `random` draws the default load balancing (inverse square of price, issue 9); a test stack that needs
   * the cheapest endpoint first every time passes `() => 0`.
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Takes a newer snapshot from the routing bucket's watch. */
  apply(update: RoutingSnapshotUpdate): void {
    this.table = createRoutingTable(update.snapshot);
    this.loadedAt = update.snapshot.loadedAt;
    this.revision = update.revision;
    this.publishedAt = Date.parse(update.snapshot.publishedAt);
  }

  /** Candidates for a request, best first; throws 400/404 like the router, or 503 before any snapshot. */
  route(request: RouteRequest): RouteReply {
    const table = this.catalog().table;
    return selectRoute(table, request, { health: table.health, random: this.random });
  }

  /** The smallest context window in the snapshot in use; 0 before the first. */
  smallestContextLength(): number {
    return this.table?.smallestContextLength ?? 0;
  }

  /** The snapshot in use; throws 503 before the first. */
  catalog(): HeldCatalog {
    if (!this.table) {
      throw new SwitchboardError(
        gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "Switchboard has not received the routing catalog from the router yet. Retry shortly.", {
          retryable: true,
        }),
      );
    }
    return { table: this.table, loadedAt: this.loadedAt };
  }

  status(): RoutingStatus {
    if (!this.table) return { ready: false, revision: null, ageMs: null };
    return { ready: true, revision: this.revision, ageMs: Math.max(0, this.now() - this.publishedAt) };
  }
}
