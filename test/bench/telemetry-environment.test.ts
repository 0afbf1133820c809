import { describe, expect, it } from "vitest";
import { readTracingSettings } from "@switchboard/telemetry";
import { telemetryEnvironment } from "./telemetry-environment.js";

const entryPoint = "services/router/dist/main.js";

describe("telemetryEnvironment (BENCH_TELEMETRY=on)", () => {
  it("turns each service's tracing on, exporting http/protobuf to the run's collector", () => {
    const environment = telemetryEnvironment({ PATH: "/usr/bin" }, { collectorUrl: "http://127.0.0.1:4318", protocol: "http/protobuf" });
    expect(environment).toMatchObject({ PATH: "/usr/bin", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf", OPERATIONS_HOST: "127.0.0.1" });
    expect(readTracingSettings(environment, entryPoint)).toMatchObject({ protocol: "http/protobuf", serviceName: "switchboard-router" });
  });

  it("drops what in the shell would send the spans elsewhere or switch the SDK off", () => {
    const environment = telemetryEnvironment(
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc", OTEL_SDK_DISABLED: "true", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "256" },
      { collectorUrl: "http://127.0.0.1:4318", protocol: "http/json" },
    );
    expect(environment).not.toHaveProperty("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    expect(environment).not.toHaveProperty("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
    expect(environment).not.toHaveProperty("OTEL_SDK_DISABLED");
    expect(environment["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"], "batch tuning passes through").toBe("256");
    expect(readTracingSettings(environment, entryPoint)?.protocol).toBe("http/json");
  });

  it("leaves tracing off without it: the default run's services start no SDK", () => {
    expect(readTracingSettings({ PATH: "/usr/bin" }, entryPoint)).toBeNull();
  });
});
