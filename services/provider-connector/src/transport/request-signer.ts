/** The final request as it will be sent, for a signer to sign. */
export interface SignableRequest {
  method: "POST";
  url: URL;
  /** Every header already on the request (the adapter's), lower-case names. */
  headers: Readonly<Record<string, string>>;
  /** The exact body bytes, as text. */
  body: string;
}

/**
 * Computes the headers that authenticate one request from the request itself and the provider's secret
 * (AWS SigV4: `authorization`, `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`). Lives in the
 * transport, not in an adapter, because signing reads the clock and does crypto; an adapter only names its
 * signer (`{ scheme: "signature", signer, parameters }`).
 */
export interface RequestSigner {
  sign(request: SignableRequest, secret: string, parameters: Readonly<Record<string, string>>): Promise<Record<string, string>>;
}

/** Signers by the name adapters use in `{ scheme: "signature", signer }`. */
export type RequestSigners = ReadonlyMap<string, RequestSigner>;
