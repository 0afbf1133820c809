import { describe, expect, it } from "vitest";
import { retryWhileStarting } from "./retry-while-starting.js";
import { SwitchboardApiError } from "./switchboard-api.js";

const notRunning = new SwitchboardApiError("POST /api/v1/chat/completions", 503, '{"error":{"message":"The provider-connector service is not running."}}');

describe("retryWhileStarting", () => {
  it("tries again while a service ingress needs is still starting (503)", async () => {
    let calls = 0;
    const answer = await retryWhileStarting(
      async () => {
        calls += 1;
        if (calls < 3) throw notRunning;
        return "Echo: hi";
      },
      { timeoutMs: 1_000, intervalMs: 1 },
    );
    expect(answer).toBe("Echo: hi");
    expect(calls).toBe(3);
  });

  it("gives up after the timeout with the last answer", async () => {
    await expect(retryWhileStarting(async () => Promise.reject(notRunning), { timeoutMs: 20, intervalMs: 5 })).rejects.toBe(notRunning);
  });

  it("does not retry any other failure", async () => {
    let calls = 0;
    const refused = new SwitchboardApiError("POST /api/v1/chat/completions", 402, "insufficient credits");
    await expect(
      retryWhileStarting(
        async () => {
          calls += 1;
          throw refused;
        },
        { timeoutMs: 1_000, intervalMs: 1 },
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });
});
