import { describe, expect, it } from "vitest";
import { createResourceStack } from "./resource-stack.js";

describe("createResourceStack", () => {
  it("stops in reverse order, once, and carries on after a failure", async () => {
    const stack = createResourceStack();
    const stopped: string[] = [];
    const errors: string[] = [];
    stack.push("postgres", async () => stopped.push("postgres"));
    stack.push("nats", async () => {
      throw new Error("already gone");
    });
    stack.push("services", async () => stopped.push("services"));
    expect(stack.size).toBe(3);
    await stack.stopAll((name, error) => errors.push(`${name}: ${(error as Error).message}`));
    await stack.stopAll(() => undefined);
    expect(stopped).toEqual(["services", "postgres"]);
    expect(errors).toEqual(["nats: already gone"]);
    expect(stack.size).toBe(0);
  });
});

describe("createResourceStack with a stop that hangs", () => {
  it("gives up on it after the timeout and stops the rest", async () => {
    const stack = createResourceStack();
    const stopped: string[] = [];
    const errors: string[] = [];
    stack.push("postgres", async () => stopped.push("postgres"));
    stack.push("stuck", () => new Promise(() => undefined));
    await stack.stopAll((name, error) => errors.push(`${name}: ${(error as Error).message}`), 20);
    expect(stopped).toEqual(["postgres"]);
    expect(errors).toEqual(["stuck: did not stop within 0.02 s"]);
  });
});
