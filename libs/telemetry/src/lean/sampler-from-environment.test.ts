import { afterEach, describe, expect, it } from "vitest";
import { samplerFromEnvironment } from "./sampler-from-environment.js";

describe("samplerFromEnvironment", () => {
  afterEach(() => {
    delete process.env["OTEL_TRACES_SAMPLER"];
    delete process.env["OTEL_TRACES_SAMPLER_ARG"];
  });

  it.each([
    [undefined, undefined, "ParentBased{root=AlwaysOnSampler, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}"],
    ["always_on", undefined, "AlwaysOnSampler"],
    ["always_off", undefined, "AlwaysOffSampler"],
    ["traceidratio", "0.25", "TraceIdRatioBased{0.25}"],
    ["parentbased_always_off", undefined, "ParentBased{root=AlwaysOffSampler"],
    ["parentbased_traceidratio", "0.1", "ParentBased{root=TraceIdRatioBased{0.1}"],
    ["parentbased_traceidratio", "2", "ParentBased{root=TraceIdRatioBased{1}"],
    ["no such sampler", undefined, "ParentBased{root=AlwaysOnSampler"],
  ])("OTEL_TRACES_SAMPLER=%s, OTEL_TRACES_SAMPLER_ARG=%s: %s", (name, argument, expected) => {
    if (name !== undefined) process.env["OTEL_TRACES_SAMPLER"] = name;
    if (argument !== undefined) process.env["OTEL_TRACES_SAMPLER_ARG"] = argument;
    expect(samplerFromEnvironment().toString()).toContain(expected);
  });
});
