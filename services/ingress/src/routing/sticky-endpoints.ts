import { ExpiringLruCache } from "../plugins/expiring-lru-cache.js";

/** OpenRouter keeps a conversation on its endpoint for 10 minutes of inactivity (prompt-caching guide). */
export const stickyEndpointIdleMs = 10 * 60_000;

/**
 * Conversations this replica remembers at most: a key is at most ~350 bytes (account id, model id, a
 * session id of up to 256 characters or a 43-character hash), so about 10 MB when full. Past it the
 * conversation used least recently is forgotten and simply routed afresh.
 */
export const stickyEndpointMaximumEntries = 20_000;

/**
 * Sticky routing for prompt caching (OpenRouter's behaviour): which endpoint served each conversation,
 * so that its next request goes there first and reads the provider's prompt cache again. In memory, per
 * ingress replica: behind a load balancer with session affinity a conversation stays on one replica; on
 * another replica it is routed as usual and sticks there after its next cache hit.
 */
export class StickyEndpoints {
  private readonly entries: ExpiringLruCache<string>;

  constructor(
    private readonly options: { maximumEntries: number; idleMs: number; now: () => number } = {
      maximumEntries: stickyEndpointMaximumEntries,
      idleMs: stickyEndpointIdleMs,
      now: Date.now,
    },
  ) {
    this.entries = new ExpiringLruCache(options.maximumEntries);
  }

  /** Conversations remembered (expired ones may still count until looked up or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /** The endpoint that last served the conversation, unless it has been idle for longer than the TTL. */
  endpointFor(conversationKey: string): string | undefined {
    return this.entries.get(conversationKey, this.options.now());
  }

  /**
   * Records a success: the conversation sticks to this endpoint for another idle period. Called only for
   * successes, so a failed request leaves the entry as it was.
   */
  remember(conversationKey: string, endpointId: string): void {
    this.entries.set(conversationKey, endpointId, this.options.now() + this.options.idleMs);
  }
}
