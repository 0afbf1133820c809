import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import type { UpstreamCredential } from "../providers/upstream-credential.js";
import type { RequestSigners } from "./request-signer.js";

/** The request before its credential is applied. */
export interface UnauthenticatedRequest {
  url: URL;
  headers: Readonly<Record<string, string>>;
  body: string;
}

/**
 * The request's headers with the provider key applied as the adapter's `credential` says. Without a key
 * (a keyless endpoint), or with scheme `none`, the headers go out as they are. A header the adapter set
 * under the credential's name is replaced, never sent twice.
 */
export async function applyUpstreamCredential(
  request: UnauthenticatedRequest,
  credential: UpstreamCredential,
  apiKey: string | undefined,
  signers: RequestSigners,
): Promise<Record<string, string>> {
  const headers = { ...request.headers };
  if (apiKey === undefined) return headers;
  switch (credential.scheme) {
    case "none":
      return headers;
    case "bearer":
      return { ...headers, authorization: `Bearer ${apiKey}` };
    case "header":
      return { ...headers, [credential.headerName.toLowerCase()]: apiKey };
    case "signature": {
      const signer = signers.get(credential.signer);
      if (signer === undefined) {
        // Retryable: another candidate may not need this signer; the deployment lacks it meanwhile.
        throw new SwitchboardError(
          gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider connector has no request signer named "${credential.signer}"`, { retryable: true }),
        );
      }
      const signed = await signer.sign({ method: "POST", url: request.url, headers, body: request.body }, apiKey, credential.parameters);
      return { ...headers, ...signed };
    }
  }
}
