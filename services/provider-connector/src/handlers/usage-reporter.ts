import type { ConnectorUsageReport, Subjects } from "@switchboard/contracts";
import type { FactPublisher } from "@switchboard/messaging";

/** Where the connector's usage reports go: JetStream in production, a list in unit tests. */
export interface UsageReporter {
  /** Starts publishing; never throws, never delays the caller. */
  report(report: ConnectorUsageReport): void;
  /** Resolves once every report so far was acknowledged (or given up on): shutdown waits for it. */
  pending(): Promise<void>;
}

/**
 * Publishes usage reports to the facts stream and retries until JetStream acknowledges (FactPublisher),
 * with message id `<generation id>:<attempt>` so a retried publish is stored once.
 */
export function jetStreamUsageReporter(publisher: FactPublisher, subjects: Pick<Subjects, "connectorUsageReported">): UsageReporter {
  return {
    report(report) {
      publisher.publish(subjects.connectorUsageReported, report, `${report.generationId}:${report.origin.attempt}`).catch(() => {
        // FactPublisher retried for minutes and logged; the hold is released at expiry.
      });
    },
    pending: () => publisher.pending(),
  };
}
