import type { ColumnType, Selectable } from "kysely";

/** Written only by metadata-logging: one row per generation, metadata only (never prompt or output text). */
export interface GenerationsTable {
  id: string;
  account_id: string;
  key_id: string;
  model: string;
  provider_id: string | null;
  provider_name: string | null;
  endpoint_id: string | null;
  tokens_prompt: number;
  tokens_completion: number;
  tokens_cached: number;
  /** Prompt tokens written to the provider's cache; 0 for rows older than the column. */
  tokens_cache_write: ColumnType<number, number | undefined, number>;
  tokens_reasoning: number;
  usage_estimated: boolean;
  cost_micros: number;
  latency_ms: number;
  time_to_first_token_ms: number | null;
  finish_reason: string | null;
  native_finish_reason: string | null;
  streamed: boolean;
  cancelled: boolean;
  status: string;
  error_code: string | null;
  upstream_id: string | null;
  attempts: ColumnType<unknown, string, string>;
  /**
   * The API that produced it, one of `generationApiTypes` in @switchboard/contracts (the CHECK constraint
   * lists the same); `completions` for rows older than the column.
   */
  api_type: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, Date | string, never>;
}
export type GenerationRow = Selectable<GenerationsTable>;
