import { accountSchema, keyRecordSchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { presentAccount } from "./present-account.js";
import { presentKeyRecord } from "./present-key-record.js";

const createdAt = new Date("2026-11-25T14:00:00.000Z");

describe("presentAccount", () => {
  it("shows balances in micro-dollars and USD, available = balance − reserved − leased, and the data policy", () => {
    const account = presentAccount({
      id: "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11",
      name: "Acme",
      balance_micros: 10_500_000,
      reserved_micros: 500_000,
      leased_micros: 250_000,
      data_collection: "deny",
      zdr: true,
      created_at: createdAt,
    });
    expect(account).toEqual({
      id: "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11",
      name: "Acme",
      balance_micros: 10_500_000,
      reserved_micros: 500_000,
      leased_micros: 250_000,
      available_usd: "9.75",
      balance_usd: "10.5",
      data_collection: "deny",
      zdr: true,
      created_at: "2026-11-25T14:00:00.000Z",
    });
    expect(accountSchema.parse(account)).toEqual(account);
  });
});

describe("presentKeyRecord", () => {
  it("shows the hash, the label and usage in USD", () => {
    const record = presentKeyRecord(
      {
        id: "5a0f2d8e-7c53-4f8e-b1f1-0b7b1c8d9e01",
        account_id: "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11",
        name: "ci",
        key_hash: "ab".repeat(32),
        label: "sk-sb-v1-3f2...9ab",
        disabled: false,
        created_at: createdAt,
        updated_at: null,
        deleted_at: null,
        management: true,
        limit_micros: null,
        limit_reset: null,
        rate_limit_requests: 100,
        rate_limit_interval_seconds: 120,
      },
      { totalMicros: 1_250, dailyMicros: 250, weeklyMicros: 500, monthlyMicros: 1_000 },
    );
    expect(record).toEqual({
      hash: "ab".repeat(32),
      name: "ci",
      label: "sk-sb-v1-3f2...9ab",
      account_id: "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11",
      disabled: false,
      management: true,
      rate_limit: { requests: 100, interval: "2m", note: expect.stringMatching(/^Set on this key/) as unknown as string },
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      include_byok_in_limit: false,
      usage: 0.00125,
      usage_daily: 0.00025,
      usage_weekly: 0.0005,
      usage_monthly: 0.001,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      created_at: "2026-11-25T14:00:00.000Z",
      updated_at: null,
      expires_at: null,
      creator_user_id: null,
    });
    expect(keyRecordSchema.parse(record)).toEqual(record);
  });
});
