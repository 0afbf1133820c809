import { writeFile } from "node:fs/promises";
import { httpErrorBodySchema, listModelEndpointsReplySchema, listModelsReplySchema, listProvidersReplySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream/fake-upstream.js";
import { startStack, testCatalog, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The stack's catalog plus a third, keyless provider serving a second model, so that a model fallback
 * lands on an upstream whose answers the first model's providers do not share.
 */
function catalogWithSecondModel(stack: TestStack, third: FakeUpstream): string {
  return (
    testCatalog(stack.primary.url, stack.backup.url).replace(
      "providers:\n",
      `providers:\n  - { id: third, name: Third Party, api: openai, base_url: "${third.url}", data_policy: { training: false, retains_prompts: false, zdr: true } }\n`,
    ) +
    `  - id: test/second
    name: "Test: Second"
    context_length: 4096
    endpoints:
      - { provider: third, upstream_model: second-third, pricing: { prompt: "0.0000002", completion: "0.0000002" }, max_completion_tokens: 500 }
`
  );
}

/** Provider routing as OpenRouter does it (issue 9): model fallback, allow_fallbacks, filters, variants, listings. */
describe("provider routing end to end (issue 9)", () => {
  let stack: TestStack;
  let third: FakeUpstream;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    third = await startFakeUpstream();
    await writeFile(stack.catalogPath, catalogWithSecondModel(stack, third));
    await stack.restartRouter();
    ({ key } = await stack.createFundedKey("10.00"));
    await waitFor(async () => ((await fetch(`${stack.baseUrl}/models/test/second/endpoints`)).status === 200 ? true : undefined), 5_000, "the second model at ingress");
  });

  afterAll(async () => {
    await third?.close();
    await stack?.stop();
  });

  const chat = async (body: Record<string, unknown>) => {
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ max_tokens: 20, ...body }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const seenBy = (upstream: FakeUpstream, text: string) => upstream.requests.filter((request) => JSON.stringify(request.body).includes(text)).length;
  const generationRow = (id: string) => waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", id).executeTakeFirst(), 5_000, "generation row");

  it('serves models: ["a", "b"] from b when every endpoint of a is down, and says b in the response and the record', async () => {
    stack.primary.addRule("model a is down", { status: 503 });
    stack.backup.addRule("model a is down", { status: 500 });
    third.addRule("model a is down", { text: "second model here" });
    const { status, body } = await chat({ models: ["test/echo", "test/second"], messages: [{ role: "user", content: "model a is down" }] });
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: "test/second", provider: "Third Party", choices: [{ message: { content: "second model here" } }] });
    expect([seenBy(stack.primary, "model a is down"), seenBy(stack.backup, "model a is down")]).toEqual([1, 1]);
    const row = await generationRow(body["id"] as string);
    expect(row).toMatchObject({ model: "test/second", provider_id: "third", endpoint_id: "test/second@third", status: "success" });
    expect(row.attempts).toMatchObject([
      { endpointId: "test/echo@primary", providerId: "primary", status: 502, errorCode: "upstream_error", modelId: "test/echo" },
      { endpointId: "test/echo@backup", providerId: "backup", status: 502, errorCode: "upstream_error", modelId: "test/echo" },
      { endpointId: "test/second@third", providerId: "third", status: 200, errorCode: null, modelId: "test/second" },
    ]);
  });

  it("moves to the next model, not the next provider, when the first model's provider refuses the request (400)", async () => {
    stack.primary.addRule("refused by a", { status: 400, errorMessage: "context length exceeded" });
    stack.backup.addRule("refused by a", { text: "backup must not answer" });
    third.addRule("refused by a", { text: "second took it" });
    const { status, body } = await chat({ models: ["test/echo", "test/second"], messages: [{ role: "user", content: "refused by a" }] });
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: "test/second", provider: "Third Party" });
    expect(seenBy(stack.backup, "refused by a")).toBe(0);
    const alone = await chat({ model: "test/echo", messages: [{ role: "user", content: "refused by a" }] });
    expect(alone.status).toBe(400);
    expect(seenBy(stack.backup, "refused by a")).toBe(0);
  });

  it("moves to the next model when every endpoint of the first is filtered out, with or without `model`", async () => {
    third.addRule("filtered first", { text: "second again" });
    for (const request of [{ models: ["test/echo", "test/second"] }, { model: "test/echo", models: ["test/second"] }]) {
      const { status, body } = await chat({ ...request, provider: { max_price: { prompt: 0.5 } }, messages: [{ role: "user", content: "filtered first" }] });
      expect(status).toBe(200);
      expect(body).toMatchObject({ model: "test/second", provider: "Third Party" });
    }
    expect(seenBy(stack.primary, "filtered first") + seenBy(stack.backup, "filtered first")).toBe(0);
  });

  it("with allow_fallbacks: false and order: [A], answers A's error and never B's answer", async () => {
    stack.primary.addRule("only primary, down", { status: 503 });
    stack.primary.addRule("only primary, limited", { status: 429 });
    stack.backup.addRule(/^only primary/, { text: "backup must not answer" });
    const down = await chat({ model: "test/echo", provider: { order: ["primary"], allow_fallbacks: false }, messages: [{ role: "user", content: "only primary, down" }] });
    expect(down.status).toBe(502);
    expect(httpErrorBodySchema.parse(down.body).error.code).toBe(502);
    const limited = await chat({ model: "test/echo", provider: { order: ["primary"], allow_fallbacks: false }, messages: [{ role: "user", content: "only primary, limited" }] });
    expect(limited.status).toBe(429);
    expect(seenBy(stack.backup, "only primary")).toBe(0);
    expect(seenBy(stack.primary, "only primary")).toBe(2);
    // With fallbacks allowed, the same outage is served by the backup.
    const served = await chat({ model: "test/echo", provider: { order: ["primary"] }, messages: [{ role: "user", content: "only primary, down" }] });
    expect(served).toMatchObject({ status: 200, body: { provider: "Backup Cloud" } });
  });

  it("never sends data_collection: deny to the provider that trains, nor zdr: true to one without ZDR, even when the other is down", async () => {
    stack.primary.addRule("privacy please", { status: 503 });
    stack.backup.addRule("privacy please", { text: "the trainer answered" });
    for (const provider of [{ data_collection: "deny" }, { zdr: true }]) {
      const { status } = await chat({ model: "test/echo", provider, messages: [{ role: "user", content: "privacy please" }] });
      expect(status).toBe(502);
    }
    expect(seenBy(stack.backup, "privacy please")).toBe(0);
    const onlyTrainer = await chat({ model: "test/echo", provider: { only: ["backup"], data_collection: "deny" }, messages: [{ role: "user", content: "privacy please" }] });
    expect(onlyTrainer.status).toBe(404);
    expect(httpErrorBodySchema.parse(onlyTrainer.body).error.metadata).toMatchObject({ excluded_by: expect.arrayContaining(["data_policy:training", "allowed_providers"]) });
  });

  it("honours variants: :floor is served cheapest first, :free finds no zero-priced endpoint, an unknown suffix is an unknown model", async () => {
    stack.primary.addRule("variant", { text: "cheapest" });
    expect(await chat({ model: "test/echo:floor", messages: [{ role: "user", content: "variant" }] })).toMatchObject({ status: 200, body: { model: "test/echo", provider: "Primary Labs" } });
    // `:nitro` sorts by the throughput the router measured on earlier tests' streams: either provider may lead.
    expect(await chat({ model: "test/echo:nitro", messages: [{ role: "user", content: "variant" }] })).toMatchObject({
      status: 200,
      body: { provider: expect.stringMatching(/^(Primary Labs|Backup Cloud)$/) },
    });
    const free = await chat({ model: "test/echo:free", messages: [{ role: "user", content: "variant" }] });
    expect(free.status).toBe(404);
    expect(httpErrorBodySchema.parse(free.body).error.metadata).toMatchObject({ excluded_by: ["free_variant"] });
    expect((await chat({ model: "test/echo:thinking", messages: [{ role: "user", content: "variant" }] })).status).toBe(400);
  });

  it("refuses an unknown provider field with a 400 in OpenRouter's shape that names it", async () => {
    const { status, body } = await chat({ model: "test/echo", provider: { order: ["primary"], Require_Parameters: true }, messages: [{ role: "user", content: "hi" }] });
    expect(status).toBe(400);
    expect(httpErrorBodySchema.parse(body).error).toMatchObject({ code: 400, message: expect.stringContaining('provider: unrecognized key "Require_Parameters"') });
  });

  it("filters on require_parameters with the parameters the request uses", async () => {
    stack.primary.addRule("needs a seed", { text: "primary lists no seed" });
    stack.backup.addRule("needs a seed", { text: "backup lists nothing" });
    // The primary lists temperature and max_tokens, the backup nothing; nobody lists seed.
    const temperature = await chat({ model: "test/echo", temperature: 0.5, provider: { require_parameters: true, order: ["backup"] }, messages: [{ role: "user", content: "needs a seed" }] });
    expect(temperature).toMatchObject({ status: 200, body: { provider: "Primary Labs" } });
    const seed = await chat({ model: "test/echo", seed: 1, provider: { require_parameters: true }, messages: [{ role: "user", content: "needs a seed" }] });
    expect(seed.status).toBe(404);
    expect(httpErrorBodySchema.parse(seed.body).error.metadata).toMatchObject({ excluded_by: ["require_parameters"] });
  });

  it("lists providers with their data policies and a model's endpoints, without a key, from the routing snapshot", async () => {
    const providers = await fetch(`${stack.baseUrl}/providers`);
    expect(providers.status).toBe(200);
    const { data } = listProvidersReplySchema.parse(await providers.json());
    expect(data.map((provider) => provider.slug)).toEqual(["backup", "primary", "third"]);
    expect(data.find((provider) => provider.slug === "backup")).toMatchObject({ name: "Backup Cloud", data_policy: { training: true, retains_prompts: true, retention_days: 30, zdr: false } });
    expect(data.find((provider) => provider.slug === "primary")?.data_policy).toEqual({ training: false, retains_prompts: false, retention_days: null, zdr: true });

    const models = listModelsReplySchema.parse(await (await fetch(`${stack.baseUrl}/models`)).json());
    const echo = models.data.find((model) => model.id === "test/echo");
    const details = await fetch(`${stack.baseUrl.replace(/\/api\/v1$/, "")}${echo?.links.details}`);
    expect(details.status).toBe(200);
    const listing = listModelEndpointsReplySchema.parse(await details.json());
    expect(listing.data.id).toBe("test/echo");
    // Health figures (status, uptime) depend on the earlier tests' traffic: endpoint-health.test.ts checks them.
    expect(listing.data.endpoints.map((endpoint) => [endpoint.tag, endpoint.pricing.prompt])).toEqual([
      ["primary", "0.000001"],
      ["backup", "0.000003"],
    ]);

    const missing = await fetch(`${stack.baseUrl}/models/test/nothing/endpoints`);
    expect(missing.status).toBe(404);
    expect(httpErrorBodySchema.parse(await missing.json()).error.message).toContain('"test/nothing"');
  });
});
