import { createHash } from "node:crypto";
import { apiKeyChecksum, createSubjects, gatewayError, gatewayErrorCodes, SwitchboardError, type AuthenticatedKey } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { isAdminKey, KeyAuthenticator, type KeyAuthenticatorOptions } from "./authenticate.js";

const token = `sk-sb-v1-${"a".repeat(64)}`;
const keyHash = createHash("sha256").update(token).digest("hex");
const key: AuthenticatedKey = { keyId: "key-1", keyHash, accountId: "account-1", name: "laptop" };

/** Billing as the authenticator sees it: each question waits until the test answers it. */
function fakeBilling() {
  const questions: Array<{ payload: unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  const subjects = createSubjects("unit");
  return {
    questions,
    clients: {
      subjects,
      request: (subject: string, payload: unknown) => {
        expect(subject).toBe(subjects.billingAuthenticateKey);
        return new Promise((resolve, reject) => questions.push({ payload, resolve, reject }));
      },
    } as unknown as ConstructorParameters<typeof KeyAuthenticator>[0],
    answerAll(value: unknown) {
      for (const question of questions.splice(0)) question.resolve(value);
    },
    failAll(error: unknown) {
      for (const question of questions.splice(0)) question.reject(error);
    },
  };
}

function setUp(options: Partial<KeyAuthenticatorOptions> = {}) {
  const billing = fakeBilling();
  const clock = { now: 1_000_000 };
  const authenticator = new KeyAuthenticator(billing.clients, { ttlMs: 600_000, now: () => clock.now, ...options });
  return { billing, clock, authenticator };
}

const unknownKey = () => new SwitchboardError(gatewayError(gatewayErrorCodes.unauthorized, 401, "Invalid API key"));
const billingDown = () => new SwitchboardError(gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "billing down", { retryable: true }));
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("KeyAuthenticator", () => {
  it("refuses a malformed key without asking billing", async () => {
    const { billing, authenticator } = setUp();
    await expect(authenticator.authenticate("sk-or-v1-nope")).rejects.toMatchObject({ error: { status: 401 } });
    // A v2 key whose checksum does not match its random part, as a typo or an invented key would be.
    const random = "c".repeat(64);
    await expect(authenticator.authenticate(`sk-sb-v2-${random}${apiKeyChecksum("d".repeat(64))}`)).rejects.toMatchObject({ error: { status: 401 } });
    expect(billing.questions).toHaveLength(0);
    void authenticator.authenticate(`sk-sb-v2-${random}${apiKeyChecksum(random)}`).catch(() => undefined);
    expect(billing.questions).toHaveLength(1);
  });

  it("recognises the admin key by comparing digests, whatever the presented token's length", () => {
    const adminKey = "admin-key-0123456789";
    expect(isAdminKey(adminKey, adminKey)).toBe(true);
    for (const token of ["", "a", `${adminKey}x`, adminKey.slice(0, -1), "x".repeat(10_000)]) expect(isAdminKey(token, adminKey)).toBe(false);
    expect(isAdminKey(adminKey, undefined)).toBe(false);
  });

  it("sends only the key's hash, and answers from memory until the TTL ends", async () => {
    const { billing, clock, authenticator } = setUp({ ttlMs: 60_000 });
    const first = authenticator.authenticate(token);
    expect(billing.questions.map((question) => question.payload)).toEqual([{ keyHash }]);
    billing.answerAll(key);
    await expect(first).resolves.toEqual(key);

    clock.now += 59_999;
    await expect(authenticator.authenticate(token)).resolves.toEqual(key);
    expect(billing.questions).toHaveLength(0);

    clock.now += 1;
    const afterExpiry = authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(1);
    billing.answerAll(key);
    await afterExpiry;
  });

  it("asks billing once for 100 concurrent requests with the same uncached key", async () => {
    const { billing, authenticator } = setUp();
    const answers = Array.from({ length: 100 }, () => authenticator.authenticate(token));
    expect(billing.questions).toHaveLength(1);
    billing.answerAll(key);
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 100 }, () => key));
    await authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(0);
  });

  it("shares a failure among the requests that waited for it, but does not keep it", async () => {
    const { billing, authenticator } = setUp();
    const answers = Array.from({ length: 5 }, () => authenticator.authenticate(token));
    expect(billing.questions).toHaveLength(1);
    billing.failAll(billingDown());
    for (const answer of answers) await expect(answer).rejects.toMatchObject({ error: { status: 503 } });

    const retried = authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(1);
    billing.answerAll(key);
    await expect(retried).resolves.toEqual(key);
  });

  it("repeats billing's 401 from memory for the short refusal TTL only", async () => {
    const { billing, clock, authenticator } = setUp({ refusalTtlMs: 5_000 });
    const first = authenticator.authenticate(token);
    billing.failAll(unknownKey());
    await expect(first).rejects.toMatchObject({ error: { status: 401, message: "Invalid API key" } });

    clock.now += 4_999;
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ error: { status: 401, message: "Invalid API key" } });
    expect(billing.questions).toHaveLength(0);

    clock.now += 1;
    const afterRefusalTtl = authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(1);
    billing.answerAll(key);
    await expect(afterRefusalTtl).resolves.toEqual(key);
  });

  it("with a refusal TTL of 0 asks billing again after every 401", async () => {
    const { billing, authenticator } = setUp({ refusalTtlMs: 0 });
    const first = authenticator.authenticate(token);
    billing.failAll(unknownKey());
    await expect(first).rejects.toBeInstanceOf(SwitchboardError);
    const second = authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(1);
    billing.answerAll(key);
    await expect(second).resolves.toEqual(key);
  });

  it("forgets a changed key at once, including a refusal (a key created or enabled afterwards works)", async () => {
    const { billing, authenticator } = setUp();
    const first = authenticator.authenticate(token);
    billing.answerAll(key);
    await first;

    authenticator.forget(keyHash);
    const afterChange = authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(1);
    billing.failAll(unknownKey());
    await expect(afterChange).rejects.toMatchObject({ error: { status: 401 } });

    authenticator.forget(keyHash);
    const afterEnabled = authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(1);
    billing.answerAll(key);
    await expect(afterEnabled).resolves.toEqual(key);
  });

  it("does not keep an answer that was on its way when the key changed, and asks anew for later requests", async () => {
    const { billing, authenticator } = setUp();
    const before = authenticator.authenticate(token);
    authenticator.forget(keyHash);
    // A request after the change must not wait for the answer billing may have read before it.
    const after = authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(2);
    const [stale, fresh] = billing.questions.splice(0);
    stale?.resolve(key);
    await expect(before).resolves.toEqual(key);
    fresh?.reject(unknownKey());
    await expect(after).rejects.toMatchObject({ error: { status: 401 } });

    // Neither the stale acceptance nor anything else is remembered as accepted.
    await settle();
    const next = authenticator.authenticate(token).catch((error: unknown) => error);
    expect(billing.questions).toHaveLength(0);
    expect(await next).toMatchObject({ error: { status: 401 } });
  });

  it("forgets everything, and every answer in flight, on forgetAll", async () => {
    const { billing, authenticator } = setUp();
    const otherToken = `sk-sb-v1-${"b".repeat(64)}`;
    const cached = authenticator.authenticate(token);
    billing.answerAll(key);
    await cached;
    const inFlight = authenticator.authenticate(otherToken);

    authenticator.forgetAll();
    billing.answerAll({ ...key, keyId: "key-2" });
    await inFlight;

    void authenticator.authenticate(token);
    void authenticator.authenticate(otherToken);
    expect(billing.questions).toHaveLength(2);
    billing.answerAll(key);
  });

  it("with a TTL of 0 asks billing for every request that does not overlap another", async () => {
    const { billing, authenticator } = setUp({ ttlMs: 0 });
    const first = authenticator.authenticate(token);
    billing.answerAll(key);
    await first;
    await settle();
    void authenticator.authenticate(token);
    expect(billing.questions).toHaveLength(1);
    billing.answerAll(key);
  });

  it("holds at most maximumEntries keys, dropping the least recently used", async () => {
    const { billing, authenticator } = setUp({ maximumEntries: 2 });
    const tokens = ["1", "2", "3"].map((digit) => `sk-sb-v1-${digit.repeat(64)}`);
    for (const each of tokens) {
      const answer = authenticator.authenticate(each);
      billing.answerAll(key);
      await answer;
    }
    await authenticator.authenticate(tokens[1] as string);
    await authenticator.authenticate(tokens[2] as string);
    expect(billing.questions).toHaveLength(0);
    void authenticator.authenticate(tokens[0] as string);
    expect(billing.questions).toHaveLength(1);
    billing.answerAll(key);
  });
});
