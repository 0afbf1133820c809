import { describe, expect, it } from "vitest";
import { deadlineError } from "./deadline-error.js";

describe("deadlineError", () => {
  it("names the limit reached as a final 504", () => {
    expect(deadlineError(false, 600_000)).toMatchObject({ code: "upstream_timeout", status: 504, retryable: false, message: expect.stringContaining("600 s") });
  });

  it("tells the client to retry when ingress is shutting down", () => {
    expect(deadlineError(true, 600_000)).toMatchObject({ code: "service_unavailable", status: 503, retryable: true });
  });
});
