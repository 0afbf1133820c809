import { SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { sessionIdOf } from "./session-id-of.js";

describe("sessionIdOf", () => {
  it("takes the body's session_id over the header, and the header without one", () => {
    expect(sessionIdOf({ session_id: "from-body" }, "from-header")).toBe("from-body");
    expect(sessionIdOf({}, "from-header")).toBe("from-header");
    expect(sessionIdOf({ session_id: "" }, "from-header")).toBe("from-header");
    // null, as SDKs send for an unset field, names none.
    expect(sessionIdOf({ session_id: null }, "from-header")).toBe("from-header");
    expect(sessionIdOf({ session_id: null }, undefined)).toBeUndefined();
    expect(sessionIdOf({}, undefined)).toBeUndefined();
    expect(sessionIdOf({}, "")).toBeUndefined();
  });

  it("refuses a header longer than 256 characters with a 400 that says so", () => {
    expect(sessionIdOf({}, "s".repeat(256))).toHaveLength(256);
    let thrown: unknown;
    try {
      sessionIdOf({}, "s".repeat(257));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwitchboardError);
    expect((thrown as SwitchboardError).error).toMatchObject({ status: 400, message: expect.stringContaining("at most 256 characters") });
  });
});
