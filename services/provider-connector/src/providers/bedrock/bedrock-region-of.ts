import { bedrockHostRegionOf, gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";

/**
 * The AWS region to sign for, from the endpoint's host: `bedrock-runtime.<region>.amazonaws.com`, its FIPS
 * variant and VPC endpoint names (`…bedrock-runtime.<region>.vpce.amazonaws.com`) all carry it. Shared by
 * the Converse adapter and the embeddings adapter (InvokeModel), which sign alike, when the catalog names no
 * `region` for the provider.
 */
export function bedrockRegionOf(baseUrl: string): string {
  const region = bedrockHostRegionOf(baseUrl);
  if (region === undefined) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.upstreamError, 502, "The Bedrock endpoint's base_url names no region (expected https://bedrock-runtime.<region>.amazonaws.com, or the provider's region set in the catalog)", {
        retryable: true,
      }),
    );
  }
  return region;
}
