import { describe, expect, it } from "vitest";
import { natsPortsFileName, parseNatsPortsFile } from "./nats-ports-file.js";

describe("parseNatsPortsFile", () => {
  it("returns the client URL", () => {
    expect(parseNatsPortsFile('{"nats":["nats://127.0.0.1:45609"]}')).toBe("nats://127.0.0.1:45609");
    expect(parseNatsPortsFile('{"nats":["nats://127.0.0.1:4222","nats://10.0.0.5:4222"],"monitoring":["http://127.0.0.1:8222"]}')).toBe(
      "nats://127.0.0.1:4222",
    );
  });

  it("explains a file it cannot use", () => {
    expect(() => parseNatsPortsFile("")).toThrow(/not JSON/);
    expect(() => parseNatsPortsFile('{"monitoring":["http://127.0.0.1:8222"]}')).toThrow(/no client URL/);
    expect(() => parseNatsPortsFile("null")).toThrow(/no client URL/);
  });
});

describe("natsPortsFileName", () => {
  it("follows nats-server's naming", () => {
    expect(natsPortsFileName(1234)).toBe("nats-server_1234.ports");
  });
});
