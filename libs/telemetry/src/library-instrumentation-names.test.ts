import { describe, expect, it } from "vitest";
import { enabledLibraryInstrumentations } from "./library-instrumentation-names.js";

describe("enabledLibraryInstrumentations", () => {
  it("turns on undici and pg when neither variable is set", () => {
    expect(enabledLibraryInstrumentations({})).toEqual(["undici", "pg"]);
    expect(enabledLibraryInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: " ", OTEL_NODE_DISABLED_INSTRUMENTATIONS: "" })).toEqual(["undici", "pg"]);
  });

  it("keeps only what OTEL_NODE_ENABLED_INSTRUMENTATIONS names, then removes what OTEL_NODE_DISABLED_INSTRUMENTATIONS names", () => {
    expect(enabledLibraryInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: "pg" })).toEqual(["pg"]);
    expect(enabledLibraryInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: "undici" })).toEqual(["pg"]);
    expect(enabledLibraryInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: " pg , undici " })).toEqual([]);
    expect(enabledLibraryInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: "undici,pg", OTEL_NODE_DISABLED_INSTRUMENTATIONS: "pg" })).toEqual(["undici"]);
  });

  it("refuses a name it does not have, saying which it has", () => {
    expect(() => enabledLibraryInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: "undici,http" })).toThrow('OTEL_NODE_DISABLED_INSTRUMENTATIONS: "http" is not an instrumentation Switchboard has; it has undici, pg');
    expect(() => enabledLibraryInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: "@opentelemetry/instrumentation-pg" })).toThrow(/OTEL_NODE_ENABLED_INSTRUMENTATIONS/);
  });
});
