import { createHash } from "node:crypto";
import { isWellFormedApiKey } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { generateApiKeySecret, hashApiKey, labelApiKey } from "./api-key-secret.js";

describe("API key secrets", () => {
  it("are the v2 prefix, 64 hex characters of fresh randomness and their checksum", () => {
    const first = generateApiKeySecret();
    expect(first).toMatch(/^sk-sb-v2-[0-9a-f]{72}$/);
    expect(isWellFormedApiKey(first)).toBe(true);
    expect(generateApiKeySecret()).not.toBe(first);
  });

  it("are stored as the SHA-256 hex of the full secret", () => {
    const secret = generateApiKeySecret();
    expect(hashApiKey(secret)).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(hashApiKey(secret)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("are labelled by their prefix and the first and last three characters after it, v1 keys included", () => {
    expect(labelApiKey(`sk-sb-v1-3f2${"0".repeat(58)}9ab`)).toBe("sk-sb-v1-3f2...9ab");
    expect(labelApiKey(`sk-sb-v2-3f2${"0".repeat(66)}9ab`)).toBe("sk-sb-v2-3f2...9ab");
  });
});
