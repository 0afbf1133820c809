import { gatewayError, SwitchboardError } from "@switchboard/contracts";

/**
 * Billing's 402 for an embeddings request, reworded: there is no output to lower, so the client is told
 * to send fewer or shorter inputs (the hold counts every byte of the body as an input token at the
 * dearest candidate's price). Metadata stays as billing gave it. Any other error is returned as it is.
 */
export function unaffordableEmbeddingsError(refusal: unknown): unknown {
  if (!(refusal instanceof SwitchboardError) || refusal.error.status !== 402) return refusal;
  const metadata = refusal.error.metadata ?? {};
  const required = metadata["required_usd"];
  const available = metadata["available_usd"];
  if (typeof required !== "string" || typeof available !== "string") return refusal;
  const holder = typeof metadata["limit_remaining_usd"] === "string" ? "the key's limit leaves" : "the account has";
  return new SwitchboardError(
    gatewayError(
      refusal.error.code,
      402,
      `Insufficient credits: this embeddings request needs up to $${required} but ${holder} $${available} available. Add credits (or raise the key's limit), or send fewer or shorter inputs.`,
      { metadata },
    ),
    { cause: refusal },
  );
}
