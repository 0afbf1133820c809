import { createUser, fromSeed } from "@nats-io/nkeys";
import { allBusIdentities, type BusIdentity } from "./bus-identities.js";

/** One identity's nkey: the seed authenticates the service (a secret), the public key goes into the server's configuration. */
export interface BusIdentityKey {
  readonly seed: string;
  readonly publicKey: string;
}

/** A fresh nkey user for every bus identity. */
export function createBusIdentityKeys(): Record<BusIdentity, BusIdentityKey> {
  return Object.fromEntries(allBusIdentities.map((identity) => [identity, createBusIdentityKey()])) as Record<BusIdentity, BusIdentityKey>;
}

/** A fresh nkey user for one identity. */
export function createBusIdentityKey(): BusIdentityKey {
  const user = createUser();
  const seed = new TextDecoder().decode(user.getSeed());
  return { seed, publicKey: user.getPublicKey() };
}

/** The public key of a seed (`SU…`), e.g. to write the server configuration for seeds that already exist. */
export function publicKeyOfSeed(seed: string): string {
  return fromSeed(new TextEncoder().encode(seed.trim())).getPublicKey();
}
