import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { getCatalogReplySchema, httpErrorBodySchema, listModelsReplySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, testPrices, type TestStack } from "../support/start-stack.js";

const dataPolicy = { training: false, retains_prompts: false, zdr: true };
const runtimeModel = {
  name: "Test: Run-time",
  context_length: 4096,
  endpoints: [{ provider: "primary", upstream_model: "runtime-primary", pricing: { prompt: "0.000001", completion: "0.000001" } }],
};

/** Helpers over one stack: a chat through any ingress, and how long until a condition holds on all of them. */
function clientOf(stack: TestStack, key: string) {
  const chat = (baseUrl: string, model: string, text = "which one?") =>
    fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: text }], max_tokens: 10 }),
    });
  /** The provider (its display name) that served one chat; fails the test on anything but a 200. */
  const servedBy = async (baseUrl: string, model: string, text?: string) => {
    const response = await chat(baseUrl, model, text);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body["provider"];
  };
  /** Milliseconds from `since` until `check` passes on the ingress at `baseUrl`; fails after 5 s. */
  const timeUntil = async (baseUrl: string, since: number, check: (baseUrl: string) => Promise<boolean>) => {
    for (;;) {
      if (await check(baseUrl)) return performance.now() - since;
      if (performance.now() - since > 5_000) throw new Error(`not in effect at ${baseUrl} within 5 s`);
      await sleep(10);
    }
  };
  return { chat, servedBy, timeUntil };
}

/** Issue 9: the admin API changes providers, models and endpoints at run time; the YAML catalog stays the seed. */
describe("the admin catalog API", () => {
  let stack: TestStack;
  let key: string;
  let secondIngress: string;
  let client: ReturnType<typeof clientOf>;

  beforeAll(async () => {
    stack = await startStack();
    ({ key } = await stack.createFundedKey("10.00"));
    secondIngress = await stack.addIngress();
    client = clientOf(stack, key);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("refuses callers without the admin key: 401 without a key, 403 with a user key", async () => {
    const attempts: [string, string, unknown][] = [
      ["GET", "/admin/catalog", undefined],
      ["PUT", "/admin/models/test/sneaky", runtimeModel],
      ["PATCH", "/admin/models/test/echo", { disabled: true }],
      ["PUT", "/admin/providers/primary", { name: "x" }],
    ];
    for (const [method, path, body] of attempts) {
      for (const authorization of [undefined, `Bearer ${key}`]) {
        const response = await fetch(`${stack.baseUrl}${path}`, {
          method,
          headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const expected = authorization ? 403 : 401;
        expect(response.status, `${method} ${path}`).toBe(expected);
        expect(httpErrorBodySchema.parse(await response.json()).error.code).toBe(expected);
      }
    }
    expect((await client.chat(stack.baseUrl, "test/sneaky")).status).toBe(400);
    expect((await client.servedBy(stack.baseUrl, "test/echo"))).toBe("Primary Labs");
  });

  it("refuses bad documents with a 400 naming the fields, and unknown entries with a 404", async () => {
    const refused: [string, string, unknown, number, string][] = [
      ["PUT", "/admin/models/test/bad", { ...runtimeModel, endpoints: [{ ...runtimeModel.endpoints[0], provider: "nowhere" }] }, 400, "endpoints.0.provider"],
      ["PUT", "/admin/models/test/echo/endpoints/primary", { upstream_model: "x", pricing: { prompt: "cheap", completion: "0" } }, 400, "pricing.prompt"],
      ["PUT", "/admin/providers/leaky", { name: "Leaky", api: "openai", base_url: "http://127.0.0.1:9/v1", api_key: "sk-secret", data_policy: dataPolicy }, 400, "api_key"],
      ["PUT", "/admin/providers/thief", { name: "Thief", api: "openai", base_url: "http://127.0.0.1:9/v1", api_key_env: "NATS_PASSWORD", data_policy: dataPolicy }, 400, "api_key_env"],
      ["PUT", "/admin/providers/primary", { name: "Primary Labs", api: "openai", base_url: "http://127.0.0.1:9/v1", api_key_env: "DATABASE_URL", data_policy: dataPolicy }, 400, "api_key_env"],
      ["PUT", "/admin/providers/leaky", { name: "Leaky", api: "openai", base_url: "http://127.0.0.1:9/v1?key=sk-secret", data_policy: dataPolicy }, 400, "base_url"],
      ["PUT", "/admin/models/test/bad", { ...runtimeModel, id: "test/other" }, 400, "id"],
      ["PATCH", "/admin/models/test/echo", { disabled: "yes" }, 400, "disabled"],
      ["PATCH", "/admin/models/test/missing", { disabled: true }, 404, "test/missing"],
      ["PATCH", "/admin/providers/missing", { disabled: true }, 404, "missing"],
      ["PUT", "/admin/models/test/missing/endpoints/primary", runtimeModel.endpoints[0], 404, "test/missing"],
      ["PUT", "/admin/models/test/echo/endpoints/missing", { upstream_model: "x", pricing: { prompt: "0", completion: "0" } }, 404, "missing"],
    ];
    for (const [method, path, body, status, named] of refused) {
      const answer = await stack.admin(method, path, body);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
      const error = httpErrorBodySchema.parse(answer.body).error;
      expect(error.code).toBe(status);
      expect(error.message).toContain(named);
    }
    const catalog = getCatalogReplySchema.parse((await stack.admin("GET", "/admin/catalog")).body);
    expect(catalog.data.revision).toBe(0);
    expect(catalog.data.models.map((model) => model.id)).toEqual(["test/echo", "test/unconfigured"]);
  });

  it("serves a model added at run time from every ingress within a second", async () => {
    expect((await client.chat(stack.baseUrl, "test/runtime")).status).toBe(400);
    const since = performance.now();
    const added = await stack.admin("PUT", "/admin/models/test/runtime", runtimeModel);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ data: { id: "test/runtime", source: "runtime", disabled: false, changed_by: expect.stringMatching(/^admin-key:/) } });
    const served = async (baseUrl: string) => {
      const response = await client.chat(baseUrl, "test/runtime");
      await response.body?.cancel();
      return response.status === 200;
    };
    const delays = await Promise.all([stack.baseUrl, secondIngress].map((baseUrl) => client.timeUntil(baseUrl, since, served)));
    for (const delay of delays) expect(delay).toBeLessThan(1_000);
    expect(stack.primary.requests.at(-1)?.body["model"]).toBe("runtime-primary");
    const listed = listModelsReplySchema.parse(await (await fetch(`${stack.baseUrl}/models`)).json());
    expect(listed.data.map((model) => model.id)).toContain("test/runtime");
    // The same document again replaces it: 200, not 201.
    expect((await stack.admin("PUT", "/admin/models/test/runtime", runtimeModel)).status).toBe(200);
  });

  it("changes an endpoint's price so the cheapest endpoint changes, on every ingress within a second", async () => {
    expect(await client.servedBy(stack.baseUrl, "test/echo")).toBe("Primary Labs");
    const since = performance.now();
    const dearer = { upstream_model: "echo-primary", pricing: { prompt: "0.00001", completion: "0.00002" }, max_completion_tokens: 1000 };
    const changed = await stack.admin("PUT", "/admin/models/test/echo/endpoints/primary", dearer);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const servedByBackup = async (baseUrl: string) => (await client.servedBy(baseUrl, "test/echo")) === "Backup Cloud";
    const delays = await Promise.all([stack.baseUrl, secondIngress].map((baseUrl) => client.timeUntil(baseUrl, since, servedByBackup)));
    for (const delay of delays) expect(delay).toBeLessThan(1_000);
  });

  it("never routes to a disabled endpoint, not even as a fallback, and routes to it again once enabled", async () => {
    const disabled = await stack.admin("PATCH", "/admin/models/test/echo/endpoints/backup", { disabled: true });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(disabled.body).toMatchObject({ data: { id: "test/echo@backup", disabled: true, source: "seed" } });
    const since = performance.now();
    await client.timeUntil(stack.baseUrl, since, async (baseUrl) => (await client.servedBy(baseUrl, "test/echo")) === "Primary Labs");
    const backupBefore = stack.backup.requests.length;
    for (let index = 0; index < 5; index += 1) expect(await client.servedBy(stack.baseUrl, "test/echo")).toBe("Primary Labs");
    // Primary fails: with backup disabled there is nothing to fall back to, so the client sees the failure.
    stack.primary.setScript({ status: 503 });
    try {
      const failed = await client.chat(stack.baseUrl, "test/echo");
      expect(failed.status).toBeGreaterThanOrEqual(500);
      await failed.body?.cancel();
    } finally {
      stack.primary.setScript(undefined);
    }
    expect(stack.backup.requests.length).toBe(backupBefore);
    const listing = (await (await fetch(`${stack.baseUrl}/models/test/echo/endpoints`)).json()) as { data: { endpoints: { tag: string }[] } };
    expect(listing.data.endpoints.map((endpoint) => endpoint.tag)).toEqual(["primary"]);

    const enabled = await stack.admin("PATCH", "/admin/models/test/echo/endpoints/backup", { disabled: false });
    expect(enabled.status).toBe(200);
    const enabledSince = performance.now();
    const delay = await client.timeUntil(stack.baseUrl, enabledSince, async (baseUrl) => (await client.servedBy(baseUrl, "test/echo")) === "Backup Cloud");
    expect(delay).toBeLessThan(1_000);
  });

  it("takes a disabled model out of routing and listings, and brings it back when enabled", async () => {
    expect((await stack.admin("PATCH", "/admin/models/test/runtime", { disabled: true })).status).toBe(200);
    await client.timeUntil(stack.baseUrl, performance.now(), async (baseUrl) => {
      const response = await client.chat(baseUrl, "test/runtime");
      await response.body?.cancel();
      return response.status === 400;
    });
    const listed = listModelsReplySchema.parse(await (await fetch(`${stack.baseUrl}/models`)).json());
    expect(listed.data.map((model) => model.id)).not.toContain("test/runtime");
    expect((await stack.admin("PATCH", "/admin/models/test/runtime", { disabled: false })).status).toBe(200);
    await client.timeUntil(stack.baseUrl, performance.now(), async (baseUrl) => (await client.servedBy(baseUrl, "test/runtime")) === "Primary Labs");
  });

  it("takes a disabled provider out of every model and out of /providers, and brings it back when enabled", async () => {
    const providerSlugs = async () => ((await (await fetch(`${stack.baseUrl}/providers`)).json()) as { data: { slug: string }[] }).data.map((provider) => provider.slug);
    expect(await providerSlugs()).toEqual(["backup", "primary"]);
    expect((await stack.admin("PATCH", "/admin/providers/backup", { disabled: true })).status).toBe(200);
    await client.timeUntil(stack.baseUrl, performance.now(), async (baseUrl) => (await client.servedBy(baseUrl, "test/echo")) === "Primary Labs");
    expect(await providerSlugs()).toEqual(["primary"]);
    const catalog = getCatalogReplySchema.parse((await stack.admin("GET", "/admin/catalog")).body);
    expect(catalog.data.providers.find((provider) => provider.id === "backup")).toMatchObject({ disabled: true, source: "seed" });
    expect((await stack.admin("PATCH", "/admin/providers/backup", { disabled: false })).status).toBe(200);
    await client.timeUntil(stack.baseUrl, performance.now(), async (baseUrl) => (await client.servedBy(baseUrl, "test/echo")) === "Backup Cloud");
    expect(await providerSlugs()).toEqual(["backup", "primary"]);
  });

  it("sends to a provider's new base_url once it changes", async () => {
    const catalog = getCatalogReplySchema.parse((await stack.admin("GET", "/admin/catalog")).body);
    const primary = catalog.data.providers.find((provider) => provider.id === "primary");
    expect(primary?.source).toBe("seed");
    const moved = await stack.admin("PUT", "/admin/providers/primary", { ...primary?.document, base_url: stack.backup.url });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const since = performance.now();
    await client.timeUntil(stack.baseUrl, since, async (baseUrl) => {
      const backupBefore = stack.backup.requests.length;
      await client.servedBy(baseUrl, "test/runtime");
      return stack.backup.requests.length > backupBefore;
    });
    expect(performance.now() - since).toBeLessThan(1_000);
    // Still the primary endpoint (its upstream model, its key), now at the backup's address.
    const sent = stack.backup.requests.at(-1);
    expect(sent?.body["model"]).toBe("runtime-primary");
    expect(sent?.headers.authorization).toBe("Bearer sk-primary-test");
  });

  it("keeps every run-time change across a router restart, while seed edits still reach entries without one", async () => {
    const before = getCatalogReplySchema.parse((await stack.admin("GET", "/admin/catalog")).body);
    // The seed renames test/echo (no run-time document) and changes primary's URL (which has one).
    const original = await readFile(stack.catalogPath, "utf8");
    const edited = original.replace('name: "Test: Echo"', 'name: "Test: Echo (edited seed)"').replace(`prompt: "${testPrices.backup.prompt}"`, 'prompt: "0.000005"');
    expect(edited).not.toBe(original);
    await writeFile(stack.catalogPath, edited);
    await stack.restartRouter();

    // The restarted router's endpoints may take a moment to be heard: a 503 until then, as clients see it.
    let answer = await stack.admin("GET", "/admin/catalog");
    for (const since = Date.now(); answer.status === 503 && Date.now() - since < 5_000; answer = await stack.admin("GET", "/admin/catalog")) await sleep(50);
    const after = getCatalogReplySchema.parse(answer.body);
    expect(after.data.revision).toBe(before.data.revision);
    expect(after.data.ignored).toEqual([]);
    const echo = after.data.models.find((model) => model.id === "test/echo");
    expect(echo).toMatchObject({ source: "seed", disabled: false, document: { name: "Test: Echo (edited seed)" } });
    expect(echo?.endpoints.map((endpoint) => [endpoint.id, endpoint.source, endpoint.disabled, (endpoint.document["pricing"] as { prompt: string }).prompt])).toEqual([
      ["test/echo@primary", "runtime", false, "0.00001"],
      ["test/echo@backup", "seed", false, "0.000005"],
    ]);
    expect(after.data.providers.find((provider) => provider.id === "primary")).toMatchObject({ source: "runtime", document: { base_url: stack.backup.url } });
    expect(after.data.models.find((model) => model.id === "test/runtime")).toMatchObject({ source: "runtime", disabled: false });

    // And the restarted router routes by them: backup is still the cheaper echo endpoint, the run-time model is served at the moved URL.
    const since = performance.now();
    await client.timeUntil(secondIngress, since, async (baseUrl) => (await client.servedBy(baseUrl, "test/echo")) === "Backup Cloud");
    const backupBefore = stack.backup.requests.length;
    expect(await client.servedBy(secondIngress, "test/runtime")).toBe("Primary Labs");
    expect(stack.backup.requests.length).toBe(backupBefore + 1);
    const listed = listModelsReplySchema.parse(await (await fetch(`${secondIngress}/models`)).json());
    expect(listed.data.find((model) => model.id === "test/echo")?.name).toBe("Test: Echo (edited seed)");
  });
});

/** Two router replicas: a change through either is not reverted by the other's health publications. */
describe("the admin catalog API with two routers", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack({ health: { policy: { consecutiveFailuresToEject: 2, firstEjection: 5_000, maximumEjection: 5_000 }, figuresIntervalMs: 200, outcomeReportIntervalMs: 100 } });
    await stack.addRouter();
    ({ key } = await stack.createFundedKey("10.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("keeps the change after both routers publish health", async () => {
    const client = clientOf(stack, key);
    for (const [index, model] of ["test/second", "test/third"].entries()) {
      const added = await stack.admin("PUT", `/admin/models/${model}`, runtimeModel);
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      await client.timeUntil(stack.baseUrl, performance.now(), async (baseUrl) => {
        const response = await client.chat(baseUrl, model);
        await response.body?.cancel();
        return response.status === 200;
      });
      // Every router answers the listing (requests alternate between them at random): both have the models.
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const listed = listModelsReplySchema.parse(await (await fetch(`${stack.baseUrl}/models`)).json());
        expect(listed.data.map((entry) => entry.id), `attempt ${attempt} after model ${index}`).toContain(model);
      }
    }

    // Primary fails until it is ejected: both routers judge it and publish health with their own catalog.
    stack.primary.setScript({ status: 503 });
    try {
      const since = Date.now();
      for (;;) {
        expect(await client.servedBy(stack.baseUrl, "test/echo", `failing ${Date.now()}`)).toBe("Backup Cloud");
        const listing = (await (await fetch(`${stack.baseUrl}/models/test/echo/endpoints`)).json()) as { data: { endpoints: { tag: string; status: number }[] } };
        if (listing.data.endpoints.find((endpoint) => endpoint.tag === "primary")?.status === -1) break;
        expect(Date.now() - since, "primary not ejected").toBeLessThan(5_000);
        await sleep(50);
      }
      // Give both routers time for their health writes and figure updates.
      await sleep(1_000);
    } finally {
      stack.primary.setScript(undefined);
    }
    for (const model of ["test/second", "test/third"]) {
      const response = await client.chat(stack.baseUrl, model);
      expect(response.status, `${model} after health publications`).not.toBe(400);
      await response.body?.cancel();
    }
    const catalog = getCatalogReplySchema.parse((await stack.admin("GET", "/admin/catalog")).body);
    expect(catalog.data.models.map((model) => model.id)).toEqual(["test/echo", "test/unconfigured", "test/second", "test/third"]);
  }, 20_000);
});
