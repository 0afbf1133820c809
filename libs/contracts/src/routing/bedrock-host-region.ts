import { awsRegionNamePattern } from "./aws-region-name.js";

const bedrockHostRegionPattern = new RegExp(`(?:^|\\.)bedrock-runtime(?:-fips)?\\.(${awsRegionNamePattern})\\.`);

/**
 * The region named by a regional Bedrock host (`bedrock-runtime.<region>.amazonaws.com`, its FIPS form
 * `bedrock-runtime-fips.<region>…` and VPC endpoint names `…bedrock-runtime.<region>.vpce.amazonaws.com`);
 * undefined for any other address. One reading for the catalog, which refuses a `region` contradicting
 * it, and for the connector, which signs for it when the catalog names no `region`.
 */
export function bedrockHostRegionOf(baseUrl: string): string | undefined {
  if (!URL.canParse(baseUrl)) return undefined;
  return bedrockHostRegionPattern.exec(new URL(baseUrl).hostname)?.[1];
}
