import { describe, expect, it } from "vitest";
import { BusCredentialsUsageError, parseBusCredentialsArguments } from "./bus-credentials-arguments.js";

describe("parseBusCredentialsArguments", () => {
  it("takes a directory, with namespace sb and no Kubernetes manifests by default", () => {
    expect(parseBusCredentialsArguments(["--directory", "deploy/nats/generated"])).toEqual({ directory: "deploy/nats/generated", namespace: "sb", kubernetes: false });
    expect(parseBusCredentialsArguments(["--directory=/etc/sb", "--namespace", "staging", "--kubernetes"])).toEqual({ directory: "/etc/sb", namespace: "staging", kubernetes: true });
  });

  it("answers --help with nothing to do", () => {
    expect(parseBusCredentialsArguments(["--help"])).toBeUndefined();
  });

  it("refuses a missing directory, an unknown option and a namespace the subjects cannot carry, with the usage", () => {
    expect(() => parseBusCredentialsArguments([])).toThrow(BusCredentialsUsageError);
    expect(() => parseBusCredentialsArguments([])).toThrow(/--directory is required\.[\s\S]*Usage: npm run bus-credentials/);
    expect(() => parseBusCredentialsArguments(["--directory", "x", "--force"])).toThrow(/--force/);
    expect(() => parseBusCredentialsArguments(["--directory", "x", "--namespace", "a.b"])).toThrow(/may only contain/);
  });
});
