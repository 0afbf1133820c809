/** A non-2xx answer of the Switchboard HTTP API. */
export class SwitchboardApiError extends Error {
  readonly status: number;
  readonly body: string;

  constructor(operation: string, status: number, body: string) {
    super(`${operation} answered HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = "SwitchboardApiError";
    this.status = status;
    this.body = body;
  }
}

export type KeyCheck = "valid" | "invalid" | "unknown";

/** The few ingress calls the launcher makes: readiness, the admin API, and a first chat completion. */
export interface SwitchboardApi {
  isReady(): Promise<boolean>;
  createAccount(name: string): Promise<{ id: string }>;
  grantCredits(accountId: string, amountUsd: string): Promise<void>;
  createKey(accountId: string, name: string): Promise<{ key: string; hash: string | undefined }>;
  /** `GET /api/v1/admin/accounts/{id}`: false only on a 404 for a well-formed id. */
  accountExists(accountId: string): Promise<boolean | "unknown">;
  /** `GET /api/v1/key` with the key: 401/403 = invalid; anything else unexpected = unknown. */
  checkKey(key: string): Promise<KeyCheck>;
  firstModelId(key: string): Promise<string | undefined>;
  /** Sends one user message and returns the assistant's text. */
  completeChat(key: string, model: string, content: string): Promise<string>;
}

export interface SwitchboardApiOptions {
  /** `http://127.0.0.1:8080` */
  origin: string;
  adminKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /**
   * When the services were started (epoch ms). Ingress is ready as soon as it holds a routing snapshot,
   * and the one NATS kept from the previous run may name an older demo upstream port: readiness then
   * also waits for the snapshot the router of this run published.
   */
  servicesStartedAt?: number;
}

export function createSwitchboardApi(options: SwitchboardApiOptions): SwitchboardApi {
  const fetchFunction = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const call = async (method: string, path: string, bearer: string, body?: unknown) => {
    const response = await fetchFunction(`${options.origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, text: await response.text() };
  };
  const expectJson = async (operation: string, method: string, path: string, bearer: string, body?: unknown): Promise<Record<string, unknown>> => {
    const { status, text } = await call(method, path, bearer, body);
    if (status < 200 || status > 299) throw new SwitchboardApiError(operation, status, text);
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new SwitchboardApiError(operation, status, `not JSON: ${text}`);
    }
  };
  const dataOf = (document: Record<string, unknown>): Record<string, unknown> => {
    const data = document["data"];
    return data !== null && typeof data === "object" ? (data as Record<string, unknown>) : {};
  };

  return {
    async isReady() {
      try {
        const response = await fetchFunction(`${options.origin}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (response.status !== 200) {
          await response.body?.cancel();
          return false;
        }
        // Ingress is ready to serve without billing (keys it knows, leased credit), but start-up goes on
        // to create an account and a key: it waits for billing too.
        const readiness = (await response.json()) as { checks?: { billing?: unknown; routing?: { ageMs?: unknown } } };
        if (readiness.checks?.billing !== true) return false;
        if (options.servicesStartedAt === undefined) return true;
        const ageMs = readiness.checks.routing?.ageMs;
        return typeof ageMs === "number" && Date.now() - ageMs >= options.servicesStartedAt;
      } catch {
        return false;
      }
    },
    async createAccount(name) {
      const operation = "POST /api/v1/admin/accounts";
      const document = await expectJson(operation, "POST", "/api/v1/admin/accounts", options.adminKey, { name });
      const id = dataOf(document)["id"];
      if (typeof id !== "string" && typeof id !== "number") throw new SwitchboardApiError(operation, 201, `no data.id in ${JSON.stringify(document)}`);
      return { id: String(id) };
    },
    async grantCredits(accountId, amountUsd) {
      await expectJson("POST /api/v1/admin/accounts/{id}/credits", "POST", `/api/v1/admin/accounts/${encodeURIComponent(accountId)}/credits`, options.adminKey, {
        amount_usd: amountUsd,
      });
    },
    async createKey(accountId, name) {
      const operation = "POST /api/v1/keys";
      const document = await expectJson(operation, "POST", "/api/v1/keys", options.adminKey, { account_id: accountId, name });
      const key = document["key"];
      if (typeof key !== "string") throw new SwitchboardApiError(operation, 201, "no key in the answer");
      const hash = dataOf(document)["hash"];
      return { key, hash: typeof hash === "string" ? hash : undefined };
    },
    async accountExists(accountId) {
      try {
        const { status } = await call("GET", `/api/v1/admin/accounts/${encodeURIComponent(accountId)}`, options.adminKey);
        if (status === 200) return true;
        return status === 404 ? false : "unknown";
      } catch {
        return "unknown";
      }
    },
    async checkKey(key) {
      try {
        const { status } = await call("GET", "/api/v1/key", key);
        if (status === 200) return "valid";
        return status === 401 || status === 403 ? "invalid" : "unknown";
      } catch {
        return "unknown";
      }
    },
    async firstModelId(key) {
      const document = await expectJson("GET /api/v1/models", "GET", "/api/v1/models", key);
      const models = document["data"];
      const first: unknown = Array.isArray(models) ? models[0] : undefined;
      const id = first !== null && typeof first === "object" ? (first as Record<string, unknown>)["id"] : undefined;
      return typeof id === "string" ? id : undefined;
    },
    async completeChat(key, model, content) {
      const document = await expectJson("POST /api/v1/chat/completions", "POST", "/api/v1/chat/completions", key, {
        model,
        messages: [{ role: "user", content }],
      });
      const choices = document["choices"];
      const message = Array.isArray(choices) ? (choices[0] as { message?: { content?: unknown } } | undefined)?.message : undefined;
      return typeof message?.content === "string" ? message.content : JSON.stringify(document);
    },
  };
}
