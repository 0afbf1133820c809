import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import type { RequestSigner } from "./request-signer.js";

/** The name adapters give this signer: `{ scheme: "signature", signer: "aws-sigv4", parameters: { region, service } }`. */
export const awsSigV4SignerName = "aws-sigv4";

/** AWS credentials parsed from the provider secret. */
interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function misconfigured(detail: string): SwitchboardError {
  // Retryable: another candidate may be configured; an operator must fix this one.
  return new SwitchboardError(gatewayError(gatewayErrorCodes.upstreamError, 502, `AWS request signing is misconfigured: ${detail}`, { retryable: true }));
}

/**
 * The provider secret (the value of the catalog's `api_key_env` variable) as AWS credentials:
 * `<access key id>:<secret access key>`, or `…:<session token>` for temporary credentials. One variable,
 * like every other provider key, so the catalog needs no AWS-only fields. Secret access keys never contain
 * `:` (they are base64-like), session tokens may, so everything after the second colon is the token.
 */
function parseCredentials(secret: string): AwsCredentials {
  const first = secret.indexOf(":");
  const second = first === -1 ? -1 : secret.indexOf(":", first + 1);
  const accessKeyId = first === -1 ? "" : secret.slice(0, first);
  const secretAccessKey = first === -1 ? "" : secret.slice(first + 1, second === -1 ? undefined : second);
  if (accessKeyId === "" || secretAccessKey === "") throw misconfigured("the key variable must hold <access key id>:<secret access key>[:<session token>]");
  return { accessKeyId, secretAccessKey, ...(second !== -1 ? { sessionToken: secret.slice(second + 1) } : {}) };
}

/**
 * AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-signing.html)
 * over the final request, by the AWS SDK's own signer (`@smithy/signature-v4`): method, path, query, the
 * `host` header and the body bytes. Returns the headers to add (`authorization`, `x-amz-date`, and
 * `x-amz-security-token` with temporary credentials); `host` is not returned because the HTTP client sends
 * exactly the value that was signed (the URL's host). `parameters`: `region` (required) and `service`
 * (default `bedrock`). `now` is injectable for tests against AWS's published test vectors.
 */
export function createAwsSigV4Signer(now: () => Date = () => new Date()): RequestSigner {
  return {
    async sign(request, secret, parameters) {
      const region = parameters["region"];
      if (region === undefined || region === "") throw misconfigured("no region");
      const signer = new SignatureV4({
        credentials: parseCredentials(secret),
        region,
        service: parameters["service"] ?? "bedrock",
        sha256: Hash.bind(null, "sha256"),
        // AWS services other than S3 sign the path URI-encoded once more; Bedrock model ids hold `:`.
        uriEscapePath: true,
        applyChecksum: false,
      });
      const { url } = request;
      const query: Record<string, string | string[]> = {};
      for (const [name, value] of url.searchParams) {
        const previous = query[name];
        query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
      }
      const signed = await signer.sign(
        {
          method: request.method,
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port !== "" ? { port: Number(url.port) } : {}),
          path: url.pathname,
          query,
          headers: { ...request.headers, host: url.host },
          body: request.body,
        },
        { signingDate: now() },
      );
      const added: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) {
        if (name.toLowerCase() !== "host" && request.headers[name] === undefined) added[name] = value;
      }
      return added;
    },
  };
}
