import { createHash, randomBytes } from "node:crypto";
import { apiKeyChecksum, apiKeyPrefixes } from "@switchboard/contracts";

/** A new secret (libs/contracts api-key-format.ts): `sk-sb-v2-`, 256 random bits as 64 hex digits, their CRC-32. */
export function generateApiKeySecret(): string {
  const random = randomBytes(32).toString("hex");
  return `${apiKeyPrefixes.v2}${random}${apiKeyChecksum(random)}`;
}

/** The SHA-256 (hex) of the full secret: the only form in which a key is stored or sent between services. */
export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A display form that identifies a key without revealing it: its prefix and first and last three characters after it, `sk-sb-v2-3f2...9ab`. */
export function labelApiKey(secret: string): string {
  // Both prefixes are `sk-sb-vN-`, nine characters.
  const prefix = secret.slice(0, apiKeyPrefixes.v2.length);
  const rest = secret.slice(prefix.length);
  return `${prefix}${rest.slice(0, 3)}...${rest.slice(-3)}`;
}
