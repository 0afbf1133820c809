/**
 * The inbox prefix a connection was opened with (`connectNats({ inboxPrefix })`), for code that makes its
 * own inbox subjects with nats.js `createInbox(prefix)`: under a bus identity only subjects under this
 * prefix reach it. nats.js keeps it on the connection's options, which its `NatsConnection` type omits.
 */
export function inboxPrefixOf(connection: object): string | undefined {
  const options = (connection as { options?: { inboxPrefix?: unknown } }).options;
  return typeof options?.inboxPrefix === "string" ? options.inboxPrefix : undefined;
}
