import type { ColumnType, Insertable, Selectable } from "kysely";

/** Written only by the router, from the catalog file and the run-time changes over it (catalog_changes). */
export interface ProvidersTable {
  id: string;
  name: string;
  api: string;
  base_url: string;
  api_key_env: string | null;
  training: boolean;
  retains_prompts: boolean;
  retention_days: number | null;
  zdr: boolean;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
export type ProviderRow = Selectable<ProvidersTable>;
export type NewProviderRow = Insertable<ProvidersTable>;

export interface ModelsTable {
  id: string;
  name: string;
  description: string;
  context_length: number;
  input_modalities: ColumnType<string[], string, string>;
  output_modalities: ColumnType<string[], string, string>;
  /** False once a model disappears from the catalog file; rows are kept for old generations. */
  listed: boolean;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
export type ModelRow = Selectable<ModelsTable>;
export type NewModelRow = Insertable<ModelsTable>;

export interface EndpointsTable {
  /** `<model id>@<provider id>` */
  id: string;
  model_id: string;
  provider_id: string;
  upstream_model: string;
  prompt_price_picos: number;
  completion_price_picos: number;
  /** Per cache-read and cache-write prompt token and per reasoning token; null: the prompt / completion price. */
  cache_read_price_picos: ColumnType<number | null, number | null | undefined, number | null>;
  cache_write_price_picos: ColumnType<number | null, number | null | undefined, number | null>;
  reasoning_price_picos: ColumnType<number | null, number | null | undefined, number | null>;
  /** Per request and per input image; null: nothing. */
  request_price_picos: ColumnType<number | null, number | null | undefined, number | null>;
  image_price_picos: ColumnType<number | null, number | null | undefined, number | null>;
  context_length: number | null;
  max_completion_tokens: number | null;
  supported_parameters: ColumnType<string[], string, string>;
  listed: boolean;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
export type EndpointRow = Selectable<EndpointsTable>;
export type NewEndpointRow = Insertable<EndpointsTable>;
