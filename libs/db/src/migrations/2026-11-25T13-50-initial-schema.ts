import { sql, type Kysely } from "kysely";

/** Catalog (router), accounts and ledger (billing), generations (metadata-logging). */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE providers (
      id text PRIMARY KEY,
      name text NOT NULL,
      api text NOT NULL,
      base_url text NOT NULL,
      api_key_env text,
      training boolean NOT NULL,
      retains_prompts boolean NOT NULL,
      retention_days integer,
      zdr boolean NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE models (
      id text PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      context_length integer NOT NULL CHECK (context_length > 0),
      input_modalities jsonb NOT NULL,
      output_modalities jsonb NOT NULL,
      listed boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE endpoints (
      id text PRIMARY KEY,
      model_id text NOT NULL REFERENCES models (id),
      provider_id text NOT NULL REFERENCES providers (id),
      upstream_model text NOT NULL,
      prompt_price_picos bigint NOT NULL CHECK (prompt_price_picos >= 0),
      completion_price_picos bigint NOT NULL CHECK (completion_price_picos >= 0),
      context_length integer,
      max_completion_tokens integer,
      supported_parameters jsonb NOT NULL,
      listed boolean NOT NULL DEFAULT true,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (model_id, provider_id)
    );

    CREATE TABLE accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      balance_micros bigint NOT NULL DEFAULT 0,
      reserved_micros bigint NOT NULL DEFAULT 0 CHECK (reserved_micros >= 0),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      account_id uuid NOT NULL REFERENCES accounts (id),
      name text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      label text NOT NULL,
      disabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz
    );
    CREATE TABLE reservations (
      generation_id text PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES accounts (id),
      key_id uuid NOT NULL REFERENCES api_keys (id),
      amount_micros bigint NOT NULL CHECK (amount_micros >= 0),
      status text NOT NULL CHECK (status IN ('pending', 'settled', 'voided', 'expired')),
      charged_micros bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX reservations_pending_expiry ON reservations (expires_at) WHERE status = 'pending';
    CREATE TABLE ledger_entries (
      id bigserial PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES accounts (id),
      kind text NOT NULL CHECK (kind IN ('grant', 'charge')),
      amount_micros bigint NOT NULL,
      generation_id text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- A generation is charged at most once, whatever the broker redelivers.
    CREATE UNIQUE INDEX ledger_entries_one_charge_per_generation ON ledger_entries (generation_id) WHERE kind = 'charge';
    CREATE INDEX ledger_entries_account ON ledger_entries (account_id);

    CREATE TABLE generations (
      id text PRIMARY KEY,
      account_id uuid NOT NULL,
      key_id uuid NOT NULL,
      model text NOT NULL,
      provider_id text,
      provider_name text,
      endpoint_id text,
      tokens_prompt integer NOT NULL,
      tokens_completion integer NOT NULL,
      tokens_cached integer NOT NULL,
      tokens_reasoning integer NOT NULL,
      usage_estimated boolean NOT NULL,
      cost_micros bigint NOT NULL,
      latency_ms integer NOT NULL,
      time_to_first_token_ms integer,
      finish_reason text,
      native_finish_reason text,
      streamed boolean NOT NULL,
      cancelled boolean NOT NULL,
      status text NOT NULL,
      error_code text,
      upstream_id text,
      attempts jsonb NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX generations_account_created ON generations (account_id, created_at DESC);
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE generations;
    DROP TABLE ledger_entries;
    DROP TABLE reservations;
    DROP TABLE api_keys;
    DROP TABLE accounts;
    DROP TABLE endpoints;
    DROP TABLE models;
    DROP TABLE providers;
  `.execute(database);
}
