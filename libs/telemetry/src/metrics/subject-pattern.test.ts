import { describe, expect, it } from "vitest";
import { subjectPattern } from "./subject-pattern.js";

describe("subjectPattern", () => {
  it("keeps a subject that names a kind of message as it is", () => {
    for (const subject of ["sb.billing.v1.reserve", "sb.connector.v1.generate", "sb.connector-progress.v1", "$SRV.PING"]) expect(subjectPattern(subject)).toBe(subject);
  });

  it("replaces tokens that name one request, inbox or account", () => {
    expect(subjectPattern("sb.connector-cancel.v1.gen-0193a6b2-7c9e-7f3a-8b1c-0123456789ab")).toBe("sb.connector-cancel.v1.*");
    expect(subjectPattern("_INBOX.abcdefghijklmnop.12")).toBe("_INBOX.>");
    expect(subjectPattern("sb.replies.Hq7Tb2kLmN4pQ8rS0vWx1y")).toBe("sb.replies.*");
    expect(subjectPattern("sb.accounts.3f2b8c1e-1d2a-4c3b-9e8f-0a1b2c3d4e5f.credit")).toBe("sb.accounts.*.credit");
    expect(subjectPattern("sb.keys.k1234567")).toBe("sb.keys.*");
  });
});
