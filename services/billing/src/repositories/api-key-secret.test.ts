import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { apiKeyPrefix, generateApiKeySecret, hashApiKey, labelApiKey } from "./api-key-secret.js";

describe("API key secrets", () => {
  it("are the prefix and 64 hex characters of fresh randomness", () => {
    const first = generateApiKeySecret();
    expect(first).toMatch(/^sk-sb-v1-[0-9a-f]{64}$/);
    expect(generateApiKeySecret()).not.toBe(first);
  });

  it("are stored as the SHA-256 hex of the full secret", () => {
    const secret = `${apiKeyPrefix}${"0123456789abcdef".repeat(4)}`;
    expect(hashApiKey(secret)).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(hashApiKey(secret)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("are labelled by the first and last three characters of the random part", () => {
    const secret = `${apiKeyPrefix}3f2${"0".repeat(58)}9ab`;
    expect(labelApiKey(secret)).toBe("sk-sb-v1-3f2...9ab");
  });
});
