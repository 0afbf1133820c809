import { httpErrorBodySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * Requests refused before any provider is called (issue #3 acceptance): OpenRouter's error shape and
 * status, nothing sent upstream, no balance change, no generation row.
 */
describe("refused requests", () => {
  let stack: TestStack;
  let key: string;
  let accountId: string;
  let poorKey: string;
  let poorAccountId: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key, accountId } = await stack.createFundedKey("1.00"));
    ({ key: poorKey, accountId: poorAccountId } = await stack.createFundedKey("0.000010"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${stack.baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const validBody = (model = "test/echo") => JSON.stringify({ model, messages: [{ role: "user", content: "refuse me" }] });

  async function expectError(response: Response, status: number): Promise<string> {
    expect(response.status).toBe(status);
    const body = httpErrorBodySchema.parse(await response.json());
    expect(body.error.code).toBe(status);
    return body.error.message;
  }

  it("401 for a missing key", async () => {
    const message = await expectError(await post(validBody(), {}), 401);
    expect(message).toMatch(/Authorization/);
  });

  it("401 for a malformed or unknown key", async () => {
    await expectError(await post(validBody(), { authorization: "Bearer nonsense" }), 401);
    await expectError(await post(validBody(), { authorization: `Bearer sk-sb-v1-${"0".repeat(64)}` }), 401);
  });

  it("400 naming the model for an unknown model", async () => {
    const message = await expectError(await post(validBody("nobody/no-such-model"), { authorization: `Bearer ${key}` }), 400);
    expect(message).toContain("nobody/no-such-model");
  });

  it("404 explaining which key to set for a model without a configured provider", async () => {
    const message = await expectError(await post(validBody("test/unconfigured"), { authorization: `Bearer ${key}` }), 404);
    expect(message).toContain("NEVER_SET_API_KEY");
  });

  it("400 for malformed JSON and for absurdly nested JSON", async () => {
    await expectError(await post('{"model": "test/echo", "messages": [', { authorization: `Bearer ${key}` }), 400);
    const nested = `{"model":"test/echo","messages":[{"role":"user","content":"x"}],"extra":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    const message = await expectError(await post(nested, { authorization: `Bearer ${key}` }), 400);
    expect(message).toMatch(/nesting/);
  });

  it("400 for a body that is not a chat request", async () => {
    const message = await expectError(await post(JSON.stringify({ model: "test/echo" }), { authorization: `Bearer ${key}` }), 400);
    expect(message).toMatch(/messages/);
    await expectError(await post(JSON.stringify({ model: "test/echo", messages: [], provider: { Require_Parameters: true } }), { authorization: `Bearer ${key}` }), 400);
  });

  it("413 for a body over the limit", async () => {
    const huge = JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "x".repeat(100 * 1024) }] });
    await expectError(await post(huge, { authorization: `Bearer ${key}` }), 413);
  });

  it("402 when the balance cannot cover the reservation", async () => {
    const response = await post(validBody(), { authorization: `Bearer ${poorKey}` });
    const message = await expectError(response, 402);
    expect(message).toMatch(/credits/i);
  });

  it("counts tool definitions in the reserved upper bound", async () => {
    // Affordable as plain text; 40 KB of tool schema is billed as prompt tokens, so it must not be.
    const modest = await stack.createFundedKey("0.005000");
    const tools = Array.from({ length: 40 }, (_value, index) => ({
      type: "function",
      function: { name: `tool_${index}`, description: "d".repeat(1000), parameters: { type: "object", properties: {} } },
    }));
    const body = JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "refuse me" }], tools });
    const message = await expectError(await post(body, { authorization: `Bearer ${modest.key}` }), 402);
    expect(message).toMatch(/credits/i);
  });

  it("404 for an image to a text-only model (OpenRouter's wording); 400 unsupported_parameter for n > 1", async () => {
    const image = JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }] });
    expect(await expectError(await post(image, { authorization: `Bearer ${key}` }), 404)).toMatch(/^No endpoints found that support image input/);
    const several = JSON.stringify({ model: "test/echo", n: 3, messages: [{ role: "user", content: "refuse me" }] });
    expect(await expectError(await post(several, { authorization: `Bearer ${key}` }), 400)).toMatch(/\bn\b/);
  });

  it("400 when max_tokens exceeds what every provider of the model allows", async () => {
    const body = JSON.stringify({ model: "test/echo", max_tokens: 5000, messages: [{ role: "user", content: "refuse me" }] });
    expect(await expectError(await post(body, { authorization: `Bearer ${key}` }), 400)).toMatch(/max_tokens 5000.*at most 1000/);
  });

  it("none of them reached a provider, changed a balance or left a generation row", async () => {
    expect(stack.primary.requests).toHaveLength(0);
    expect(stack.backup.requests).toHaveLength(0);
    for (const [id, expected] of [[accountId, 1_000_000], [poorAccountId, 10]] as const) {
      const account = await stack.admin("GET", `/admin/accounts/${id}`);
      expect((account.body as { data: { balance_micros: number; reserved_micros: number } }).data).toMatchObject({ balance_micros: expected, reserved_micros: 0 });
    }
    const rows = await stack.database.database.selectFrom("generations").select("id").execute();
    expect(rows).toHaveLength(0);
  });

  it("admin routes refuse API keys and missing keys", async () => {
    const asUser = await fetch(`${stack.baseUrl}/admin/accounts`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ name: "x" }) });
    await expectError(asUser, 403);
    const anonymous = await fetch(`${stack.baseUrl}/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ account_id: accountId, name: "x" }) });
    await expectError(anonymous, 401);
  });

  it("grants credits with up to six decimal places and refuses more", async () => {
    const account = await stack.admin("POST", "/admin/accounts", { name: "precise" });
    const id = (account.body as { data: { id: string } }).data.id;
    const granted = await stack.admin("POST", `/admin/accounts/${id}/credits`, { amount_usd: "0.123456" });
    expect(granted.status).toBe(200);
    expect((granted.body as { data: { balance_micros: number } }).data.balance_micros).toBe(123_456);
    const tooPrecise = await stack.admin("POST", `/admin/accounts/${id}/credits`, { amount_usd: "0.1234567" });
    expect(tooPrecise.status).toBe(400);
    expect((tooPrecise.body as { error: { message: string } }).error.message).toMatch(/6 decimal places/);
    expect((await stack.admin("POST", `/admin/accounts/${id}/credits`, { amount_usd: "-5" })).status).toBe(400);
  });

  it("unknown routes answer 404 in the same shape", async () => {
    await expectError(await fetch(`${stack.baseUrl}/no-such-route`), 404);
  });
});
