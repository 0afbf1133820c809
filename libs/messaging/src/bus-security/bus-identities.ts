/**
 * The identities that connect to the bus: one per service, plus `admin` for the billing admin CLI, which
 * announces key changes. Each has its own NATS user (an nkey) and only the permissions its role needs
 * (`createBusPermissions`), so a process that can reach the NATS port but holds no identity gets nothing.
 */
export const busIdentities = {
  ingress: "ingress",
  router: "router",
  providerConnector: "provider-connector",
  billing: "billing",
  metadataLogging: "metadata-logging",
  admin: "admin",
} as const;
export type BusIdentity = (typeof busIdentities)[keyof typeof busIdentities];

/** Every identity, in the order the permission table lists them. */
export const allBusIdentities: readonly BusIdentity[] = Object.values(busIdentities);

/**
 * The inbox prefix of an identity in a namespace, e.g. `_INBOX_sb_ingress`. Its connection creates every
 * reply subject under it (nats.js `inboxPrefix`), and it is the only inbox the identity may subscribe to:
 * with the default shared `_INBOX.>` anyone allowed to subscribe there could read everyone's replies.
 */
export function inboxPrefixFor(namespace: string, identity: BusIdentity): string {
  return `_INBOX_${namespace}_${identity}`;
}
