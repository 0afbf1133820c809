/**
 * How an adapter wants the provider key applied; the transport applies it to the final request, after
 * the adapter built URL, headers and body, so a signature covers exactly what is sent.
 *
 * - `bearer`: `Authorization: Bearer <key>` (OpenAI and most OpenAI-compatible vendors).
 * - `header`: the key as the value of a named header (Anthropic `x-api-key`, Azure OpenAI `api-key`,
 *   Gemini `x-goog-api-key`).
 * - `none`: never send a key, even if one is configured (keyless self-hosted vLLM / Ollama / llama.cpp).
 * - `signature`: a request signer the transport knows by name computes headers from the method, final URL,
 *   headers and body bytes and the secret (AWS SigV4 for Bedrock: `signer: "aws-sigv4"` with `region` and
 *   `service` in `parameters`). The adapter stays pure: it names the scheme, the transport holds the clock
 *   and the crypto.
 *
 * An endpoint without a configured key (`api_key_env` null in the catalog) is called without a credential
 * whatever the scheme.
 */
export type UpstreamCredential =
  | { scheme: "bearer" }
  | { scheme: "header"; headerName: string }
  | { scheme: "none" }
  | { scheme: "signature"; signer: string; parameters: Readonly<Record<string, string>> };
