import { endpointHealthStatuses, type EndpointHealth } from "@switchboard/contracts";
import type { RoutingSnapshotUpdate } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import type { EndpointHealthTracker } from "./endpoint-health-tracker.js";

/**
 * Seeds a starting router's tracker from the routing snapshot already in the bucket (published by this
 * router before a restart, or by another replica), so the first snapshot it publishes keeps every
 * ejection, backoff and figure instead of an empty health map that would put an ejected endpoint back in
 * first place. Only endpoints of the catalog just loaded are taken up. Returns the health to publish
 * first: the tracker's judgement at `now`. Without a snapshot (or one without health) nothing is seeded.
 */
export function resumePublishedHealth(options: {
  previous: RoutingSnapshotUpdate | null;
  tracker: Pick<EndpointHealthTracker, "seed" | "healthAt">;
  endpointIds: ReadonlySet<string>;
  logger: Logger;
  now: number;
}): Record<string, EndpointHealth> {
  const { previous, tracker, endpointIds, logger, now } = options;
  const taken = Object.entries(previous?.snapshot.health ?? {}).filter(([endpointId]) => endpointIds.has(endpointId));
  if (previous !== null && taken.length > 0) {
    tracker.seed(Object.fromEntries(taken), Date.parse(previous.snapshot.publishedAt), now);
    const ejected = taken.filter(([, health]) => health.status === endpointHealthStatuses.ejected).map(([endpointId]) => endpointId);
    logger.info({ revision: previous.revision, endpoints: taken.length, ejected }, "endpoint health taken up from the routing snapshot in the bucket");
  }
  return Object.fromEntries(tracker.healthAt(now));
}
