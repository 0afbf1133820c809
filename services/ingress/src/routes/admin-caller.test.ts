import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { adminCallerOf, adminKeyFingerprint } from "./admin-caller.js";

const request = (fields: { ip?: string; id?: string }) => fields as unknown as FastifyRequest;

describe("the admin caller", () => {
  it("names the admin key by a short fingerprint that does not contain the key", () => {
    const fingerprint = adminKeyFingerprint("a-long-random-admin-key");
    expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(adminKeyFingerprint("a-long-random-admin-key")).toBe(fingerprint);
    expect(adminKeyFingerprint("another-admin-key")).not.toBe(fingerprint);
  });

  it("carries the client address and the request id, as one bounded line each", () => {
    expect(adminCallerOf(request({ ip: "203.0.113.7", id: "req-1" }), "0a1b2c3d")).toEqual({
      actor: "admin-key:0a1b2c3d",
      clientAddress: "203.0.113.7",
      requestId: "req-1",
    });
    const hostile = adminCallerOf(request({ ip: "", id: `tab\there${"x".repeat(500)}` }), "0a1b2c3d");
    expect(hostile.clientAddress).toBeNull();
    expect(hostile.requestId).toHaveLength(200);
    expect(hostile.requestId).toMatch(/^tab\uFFFDhere/);
  });
});
