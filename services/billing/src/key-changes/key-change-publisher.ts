import type { KeyChanged } from "@switchboard/contracts";

/**
 * Announces to every ingress that a key's data changed, so none keeps serving the old data from its
 * key cache. Whatever changes a key (a handler, the admin CLI, later the key-management API and limits)
 * calls `publish` once the change is committed and before it answers.
 */
export interface KeyChangePublisher {
  /**
   * Never rejects: the change is committed and stands either way. What happens when the announcement
   * cannot be sent (logging it, telling the operator how to apply it) is each implementation's choice.
   */
  publish(change: KeyChanged): Promise<void>;
}
