import { describe, expect, it } from "vitest";
import { readTracingSettings, serviceOfEntryPoint } from "./tracing-settings.js";

const ingressEntry = new URL("../../../services/ingress/dist/main.js", import.meta.url).pathname;

describe("readTracingSettings", () => {
  it("is off (null) without an OTLP endpoint, whatever else is set", () => {
    expect(readTracingSettings({}, ingressEntry)).toBeNull();
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_SERVICE_NAME: "x" }, ingressEntry)).toBeNull();
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "" }, ingressEntry)).toBeNull();
  });

  it("is off when OTEL_SDK_DISABLED is true, even with an endpoint", () => {
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }, ingressEntry)).toBeNull();
  });

  it("is on with either endpoint variable, http/protobuf by default, named after the service's entry point", () => {
    for (const variable of ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) {
      const settings = readTracingSettings({ [variable]: "http://collector:4318" }, ingressEntry);
      expect(settings).toMatchObject({ protocol: "http/protobuf", serviceName: "switchboard-ingress", serviceVersion: "0.1.0" });
      expect(settings?.serviceInstanceId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("takes the protocol from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4317" };
    expect(readTracingSettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, ingressEntry)?.protocol).toBe("grpc");
    expect(readTracingSettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json" }, ingressEntry)?.protocol).toBe("http/json");
  });

  it("refuses an unknown protocol rather than exporting nowhere", () => {
    expect(() => readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_PROTOCOL: "udp" }, ingressEntry)).toThrow(/http\/protobuf, http\/json, grpc/);
  });

  it("lets OTEL_SERVICE_NAME override the name", () => {
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SERVICE_NAME: "edge" }, ingressEntry)?.serviceName).toBe("edge");
  });
});

describe("serviceOfEntryPoint", () => {
  it("is the folder under services/, or undefined", () => {
    expect(serviceOfEntryPoint("services/provider-connector/dist/main.js")).toBe("provider-connector");
    expect(serviceOfEntryPoint("tools/launcher/dist/main.js")).toBeUndefined();
    expect(serviceOfEntryPoint(undefined)).toBeUndefined();
  });
});
