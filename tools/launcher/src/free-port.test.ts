import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { assertPortAvailable, findFreePort } from "./free-port.js";

describe("free ports", () => {
  it("finds a port that can then be listened on", async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);
    await expect(assertPortAvailable("127.0.0.1", port)).resolves.toBeUndefined();
  });

  it("says what to do when the port is taken", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      await expect(assertPortAvailable("127.0.0.1", port)).rejects.toThrow(/already in use.*PORT=/);
    } finally {
      server.close();
    }
  });
});
