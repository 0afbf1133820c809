import { SwitchboardError, type GatewayError, type SkippedEndpoint } from "@switchboard/contracts";

/**
 * Routing's answer when no endpoint may serve a request (the 400/404 the client gets), carrying every
 * endpoint it left out and why, so the routing debug output can show a refusal too.
 */
export class RoutingRefusal extends SwitchboardError {
  constructor(
    error: GatewayError,
    readonly skipped: readonly SkippedEndpoint[],
  ) {
    super(error);
  }
}
