import { describe, expect, it } from "vitest";
import { LauncherSettingsError, generateAdminKey, ingressOrigin, resolveLauncherSettings } from "./launcher-settings.js";

const options = { repositoryRoot: "/srv/switchboard", invocationDirectory: "/home/me/work", generateAdminKey: () => "sb-admin-generated" };

describe("resolveLauncherSettings", () => {
  it("uses the defaults of a bare `npm start`", () => {
    const settings = resolveLauncherSettings({}, options);
    expect(settings).toMatchObject({
      stateDirectory: "/srv/switchboard/.switchboard",
      ingressPort: 8080,
      ingressHost: "127.0.0.1",
      operationsPortBase: undefined,
      adminKey: "sb-admin-generated",
      adminKeyGenerated: true,
      catalogPath: "/srv/switchboard/deploy/catalog/default.yaml",
      customCatalog: false,
      databaseUrl: undefined,
      natsUrl: undefined,
      natsCredentialsSet: false,
      namespace: "sb",
      logLevel: "info",
      logMode: "files",
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it("honours every variable it reads", () => {
    const settings = resolveLauncherSettings(
      {
        PORT: "9090",
        HOST: "0.0.0.0",
        SWITCHBOARD_ADMIN_KEY: "my-admin-key-0123456789",
        SWITCHBOARD_CATALOG: "catalogs/mine.yaml",
        DATABASE_URL: "postgres://user:secret@db:5432/switchboard",
        NATS_URL: "nats://nats:4222",
        SWITCHBOARD_NATS_NAMESPACE: "staging",
        LOG_LEVEL: "debug",
        SWITCHBOARD_LAUNCHER_LOGS: "console",
        OPERATIONS_PORT: "9464",
      },
      options,
    );
    expect(settings).toMatchObject({
      ingressPort: 9090,
      operationsPortBase: 9464,
      ingressHost: "0.0.0.0",
      adminKey: "my-admin-key-0123456789",
      adminKeyGenerated: false,
      catalogPath: "/home/me/work/catalogs/mine.yaml",
      customCatalog: true,
      databaseUrl: "postgres://user:secret@db:5432/switchboard",
      natsUrl: "nats://nats:4222",
      namespace: "staging",
      logLevel: "debug",
      logMode: "console",
    });
  });

  it("notices NATS credentials the user set, for their own NATS_URL (issue 8)", () => {
    expect(resolveLauncherSettings({ NATS_URL: "nats://nats:4222", NATS_NKEY_SEED_FILE: "/etc/sb/ingress.nk" }, options).natsCredentialsSet).toBe(true);
    expect(resolveLauncherSettings({ NATS_USER: "sb", NATS_PASSWORD: "secret" }, options).natsCredentialsSet).toBe(true);
    expect(resolveLauncherSettings({ NATS_NKEY_SEED: " " }, options).natsCredentialsSet).toBe(false);
  });

  it("keeps an absolute catalog path as given", () => {
    expect(resolveLauncherSettings({ SWITCHBOARD_CATALOG: "/etc/switchboard/catalog.yaml" }, options).catalogPath).toBe(
      "/etc/switchboard/catalog.yaml",
    );
  });

  it("treats empty values as unset", () => {
    const settings = resolveLauncherSettings({ PORT: "", SWITCHBOARD_ADMIN_KEY: " ", DATABASE_URL: "", SWITCHBOARD_CATALOG: "" }, options);
    expect(settings).toMatchObject({ ingressPort: 8080, adminKeyGenerated: true, databaseUrl: undefined, customCatalog: false });
  });

  it("reports every problem at once", () => {
    try {
      resolveLauncherSettings(
        { PORT: "80a", SWITCHBOARD_ADMIN_KEY: "short", SWITCHBOARD_NATS_NAMESPACE: "a.b", LOG_LEVEL: "loud", SWITCHBOARD_LAUNCHER_LOGS: "both", DATABASE_URL: "mysql://x", NATS_URL: "localhost:4222" },
        options,
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LauncherSettingsError);
      const problems = (error as LauncherSettingsError).problems.join("\n");
      for (const name of ["PORT", "SWITCHBOARD_ADMIN_KEY", "SWITCHBOARD_NATS_NAMESPACE", "LOG_LEVEL", "SWITCHBOARD_LAUNCHER_LOGS", "DATABASE_URL", "NATS_URL"]) {
        expect(problems).toContain(name);
      }
    }
  });

  it("rejects an operations port whose next three ports do not exist", () => {
    expect(() => resolveLauncherSettings({ OPERATIONS_PORT: "65533" }, options)).toThrow(/OPERATIONS_PORT/);
    expect(() => resolveLauncherSettings({ OPERATIONS_PORT: "0" }, options)).toThrow(/OPERATIONS_PORT/);
    expect(resolveLauncherSettings({ OPERATIONS_PORT: "65532" }, options).operationsPortBase).toBe(65_532);
  });

  it("rejects port 0, which would leave nobody knowing where ingress listens", () => {
    expect(() => resolveLauncherSettings({ PORT: "0" }, options)).toThrow(/PORT/);
  });
});

describe("generateAdminKey", () => {
  it("makes distinct shell-safe keys", () => {
    const first = generateAdminKey();
    expect(first).toMatch(/^sb-admin-[A-Za-z0-9_-]{32}$/);
    expect(generateAdminKey()).not.toBe(first);
  });
});

describe("ingressOrigin", () => {
  it("uses loopback for a wildcard address and keeps a specific one", () => {
    expect(ingressOrigin({ ingressHost: "127.0.0.1", ingressPort: 8080 })).toBe("http://127.0.0.1:8080");
    expect(ingressOrigin({ ingressHost: "0.0.0.0", ingressPort: 8080 })).toBe("http://127.0.0.1:8080");
    expect(ingressOrigin({ ingressHost: "::", ingressPort: 9000 })).toBe("http://127.0.0.1:9000");
    expect(ingressOrigin({ ingressHost: "192.168.1.5", ingressPort: 8080 })).toBe("http://192.168.1.5:8080");
    expect(ingressOrigin({ ingressHost: "::1", ingressPort: 8080 })).toBe("http://[::1]:8080");
  });
});
