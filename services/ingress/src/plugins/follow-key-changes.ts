import type { NatsConnection } from "@nats-io/transport-node";
import { keyChangedSchema, type Subjects } from "@switchboard/contracts";
import type { ConnectionState } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import type { KeyAuthenticator } from "./authenticate.js";

export interface FollowKeyChangesOptions {
  connection: Pick<NatsConnection, "subscribe">;
  state: Pick<ConnectionState, "onReconnect">;
  subjects: Pick<Subjects, "keyChanged">;
  authenticator: Pick<KeyAuthenticator, "forget" | "forgetAll">;
  logger: Pick<Logger, "warn">;
}

/** Stops following; call when the app closes. */
export type StopFollowingKeyChanges = () => void;

/**
 * Applies billing's key-changed announcements to this replica's key cache the moment they arrive, which
 * is what lets keys stay cached for minutes. Core NATS delivers at most once: an announcement sent while
 * this connection was down is lost, so after every reconnect the whole cache is dropped and each key is
 * asked for again once.
 */
export function followKeyChanges(options: FollowKeyChangesOptions): StopFollowingKeyChanges {
  const { authenticator, logger } = options;
  const subscription = options.connection.subscribe(options.subjects.keyChanged, {
    callback: (error, message) => {
      if (error) {
        // The subscription is gone (e.g. a permissions violation): nothing cached can be trusted to be current.
        logger.warn({ err: error }, "key-changed subscription failed; forgetting every cached key");
        authenticator.forgetAll();
        return;
      }
      const parsed = keyChangedSchema.safeParse(safeJson(message.data));
      if (parsed.success) {
        authenticator.forget(parsed.data.keyHash);
      } else {
        // An announcement this version cannot read still means some key changed: forgetting all is safe.
        logger.warn({ issues: parsed.error.issues.slice(0, 3) }, "key-changed announcement does not parse; forgetting every cached key");
        authenticator.forgetAll();
      }
    },
  });
  const stopListening = options.state.onReconnect(() => authenticator.forgetAll());
  return () => {
    stopListening();
    subscription.unsubscribe();
  };
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
