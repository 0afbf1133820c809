import { createHash, randomBytes } from "node:crypto";

/** Every Switchboard key starts with this, so secret scanners and humans can tell what it is. */
export const apiKeyPrefix = "sk-sb-v1-";

/** A new secret: the prefix and 256 random bits as 64 hex characters. */
export function generateApiKeySecret(): string {
  return `${apiKeyPrefix}${randomBytes(32).toString("hex")}`;
}

/** The SHA-256 (hex) of the full secret: the only form in which a key is stored or sent between services. */
export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A display form that identifies a key without revealing it: `sk-sb-v1-3f2...9ab`. */
export function labelApiKey(secret: string): string {
  const random = secret.slice(apiKeyPrefix.length);
  return `${apiKeyPrefix}${random.slice(0, 3)}...${random.slice(-3)}`;
}
