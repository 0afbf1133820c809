import { gatewayError, gatewayErrorCodes, quoteUserText, SwitchboardError, type RouteCandidate } from "@switchboard/contracts";
import type { RoutingSnapshotUpdate } from "@switchboard/messaging";
import { createRoutingTable } from "@switchboard/routing";

/**
 * The connector's own view of the catalog: endpoint id → base URL, key variable, upstream model, API,
 * from the router's routing snapshot. A generate message names an endpoint id and nothing else about it,
 * so whoever can publish on the bus can make the connector call catalog endpoints only, each with the key
 * the catalog gives it, never a URL or variable of their choosing.
 */
export class EndpointDirectory {
  private endpoints: ReadonlyMap<string, RouteCandidate> | undefined;
  private revision: number | null = null;

  /** Takes a newer snapshot from the routing bucket's watch. */
  apply(update: RoutingSnapshotUpdate): void {
    this.endpoints = createRoutingTable(update.snapshot).endpoints;
    this.revision = update.revision;
  }

  /** The snapshot revision in use; null before the first. */
  get appliedRevision(): number | null {
    return this.revision;
  }

  /**
   * The endpoint a message names. Throws a retryable 503 while no snapshot has arrived (another replica
   * may have one), and a non-retryable 400 for an id the catalog does not have.
   */
  resolve(endpointId: string): RouteCandidate {
    if (!this.endpoints) {
      throw new SwitchboardError(
        gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "The provider connector has not received the routing catalog from the router yet.", {
          retryable: true,
        }),
      );
    }
    const endpoint = this.endpoints.get(endpointId);
    if (!endpoint) {
      throw new SwitchboardError(
        gatewayError(gatewayErrorCodes.invalidRequest, 400, `Endpoint ${quoteUserText(endpointId)} is not in the provider connector's catalog (revision ${this.revision}).`, {
          retryable: false,
        }),
      );
    }
    return endpoint;
  }
}
