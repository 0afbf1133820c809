import { writeFile } from "node:fs/promises";
import { accountSchema, httpErrorBodySchema, listAdminAuditReplySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, testCatalog, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/** The stack's catalog with primary's endpoint of test/echo limited to a 1,000-token context window. */
function catalogWithSmallPrimary(stack: TestStack): string {
  const catalog = testCatalog(stack.primary.url, stack.backup.url);
  const smallPrimary = catalog.replace("upstream_model: echo-primary,", "upstream_model: echo-primary, context_length: 1000,");
  if (smallPrimary === catalog) throw new Error("the test catalog no longer has primary's test/echo endpoint where this test expects it");
  return smallPrimary;
}

/**
 * The request filters of issue 9 end to end: context length, input modalities, and the account's data
 * policy (primary keeps no data, backup trains on it), applied by every running ingress at once.
 */
describe("request filters end to end (issue 9)", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
    await writeFile(stack.catalogPath, catalogWithSmallPrimary(stack));
    await stack.restartRouter();
    await waitFor(
      async () => {
        const response = await fetch(`${stack.baseUrl}/models/test/echo/endpoints`);
        const body = (await response.json()) as { data?: { endpoints?: { provider_name: string; context_length: number }[] } };
        return body.data?.endpoints?.some((endpoint) => endpoint.provider_name === "Primary Labs" && endpoint.context_length === 1000) ? true : undefined;
      },
      5_000,
      "primary's 1,000-token window at ingress",
    );
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const chat = async (key: string, body: Record<string, unknown>, baseUrl = stack.baseUrl) => {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", max_tokens: 20, ...body }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const seenBy = (upstream: TestStack["primary"], text: string) => upstream.requests.filter((request) => JSON.stringify(request.body).includes(text)).length;
  const words = (marker: string, count: number) => `${marker} ${"lorem ".repeat(count)}`;

  it("skips an endpoint whose window the prompt does not fit, and serves it from a larger one", async () => {
    const { key } = await stack.createFundedKey("5.00");
    const short = await chat(key, { messages: [{ role: "user", content: words("short prompt", 100) }] });
    expect(short).toMatchObject({ status: 200, body: { provider: "Primary Labs" } });
    // About 1,200 tokens at the least: over primary's 1,000, well within backup's 8,192.
    const long = await chat(key, { messages: [{ role: "user", content: words("long prompt", 1_200) }] });
    expect(long).toMatchObject({ status: 200, body: { provider: "Backup Cloud" } });
    expect([seenBy(stack.primary, "long prompt"), seenBy(stack.backup, "long prompt")]).toEqual([0, 1]);
  });

  it("answers OpenRouter's 400 context-length error when no window fits, reaching no provider", async () => {
    const { key } = await stack.createFundedKey("5.00");
    const { status, body } = await chat(key, { max_tokens: 500, messages: [{ role: "user", content: words("far too long", 9_000) }] });
    expect(status).toBe(400);
    const error = httpErrorBodySchema.parse(body).error;
    expect(error.message).toMatch(/^This endpoint's maximum context length is 8192 tokens\. However, you requested about \d+ tokens \(\d+ of text input, 500 in the output\)\./);
    expect(error.metadata).toMatchObject({ maximum_context_length: 8192, output_tokens: 500, excluded_by: ["context_length"] });
    expect([seenBy(stack.primary, "far too long"), seenBy(stack.backup, "far too long")]).toEqual([0, 0]);
  });

  it("answers 404 'No endpoints found that support image input' for an image to a text-only model", async () => {
    const { key } = await stack.createFundedKey("5.00");
    const image = { type: "image_url", image_url: { url: "https://example.com/cat.png" } };
    const { status, body } = await chat(key, { messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, image] }] });
    expect(status).toBe(404);
    const error = httpErrorBodySchema.parse(body).error;
    expect(error.message).toMatch(/^No endpoints found that support image input/);
    expect(error.metadata).toMatchObject({ excluded_by: ["input_modalities"] });
  });

  it("keeps every request of a denying account off the training provider, even one that says allow, on every running ingress at once", async () => {
    const { accountId, key } = await stack.createFundedKey("5.00");
    const secondIngress = await stack.addIngress();
    stack.primary.addRule("policy probe", { status: 503 });
    stack.backup.addRule("policy probe", { text: "backup trains on this" });
    const allowed = { provider: { data_collection: "allow" }, messages: [{ role: "user", content: "policy probe" }] };

    // Before: primary fails, so both ingresses fall back to backup; each now holds the key in its cache.
    for (const baseUrl of [stack.baseUrl, secondIngress]) expect(await chat(key, allowed, baseUrl)).toMatchObject({ status: 200, body: { provider: "Backup Cloud" } });
    expect(seenBy(stack.backup, "policy probe")).toBe(2);

    const changed = await stack.admin("PATCH", `/admin/accounts/${accountId}`, { data_collection: "deny" });
    expect(changed.status).toBe(200);
    expect(accountSchema.parse((changed.body as { data: unknown }).data)).toMatchObject({ id: accountId, data_collection: "deny", zdr: false });

    // At once, with no wait: neither ingress sends the account's request to backup, whatever it says.
    for (const baseUrl of [stack.baseUrl, secondIngress]) {
      const refused = await chat(key, allowed, baseUrl);
      expect(refused.status).toBeGreaterThanOrEqual(500);
    }
    expect(seenBy(stack.backup, "policy probe")).toBe(2);
    expect(seenBy(stack.primary, "policy probe")).toBe(4);

    const shown = await stack.admin("GET", `/admin/accounts/${accountId}`);
    expect((shown.body as { data: unknown }).data).toMatchObject({ data_collection: "deny", zdr: false });
    const audit = await stack.admin("GET", "/admin/audit?limit=20");
    expect(listAdminAuditReplySchema.parse(audit.body).data).toContainEqual(
      expect.objectContaining({ action: "set-account-policy", account_id: accountId, data_policy: { data_collection: "deny", zdr: false } }),
    );

    // Allowing again lets backup serve the account once more.
    expect((await stack.admin("PATCH", `/admin/accounts/${accountId}`, { data_collection: "allow" })).status).toBe(200);
    expect(await chat(key, allowed)).toMatchObject({ status: 200, body: { provider: "Backup Cloud" } });
  });

  it("validates the admin change: unknown fields, wrong values and an empty body are 400, an unknown account 404", async () => {
    const { accountId } = await stack.createFundedKey("1.00");
    for (const body of [{ data_collection: "never" }, { zdr: "yes" }, {}, { data_colection: "deny" }]) {
      expect((await stack.admin("PATCH", `/admin/accounts/${accountId}`, body)).status).toBe(400);
    }
    expect((await stack.admin("PATCH", "/admin/accounts/00000000-0000-4000-8000-000000000000", { zdr: true })).status).toBe(404);
    expect(((await stack.admin("GET", `/admin/accounts/${accountId}`)).body as { data: unknown }).data).toMatchObject({ data_collection: "allow", zdr: false });
  });
});
