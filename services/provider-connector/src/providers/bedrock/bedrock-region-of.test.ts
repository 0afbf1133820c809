import { awsRegionName } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { bedrockRegionOf } from "./bedrock-region-of.js";

describe("bedrockRegionOf", () => {
  it("reads the region from the public, FIPS and VPC endpoint hosts", () => {
    expect(bedrockRegionOf("https://bedrock-runtime.us-east-1.amazonaws.com")).toBe("us-east-1");
    expect(bedrockRegionOf("https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com")).toBe("us-gov-west-1");
    expect(bedrockRegionOf("https://vpce-0abc.bedrock-runtime.eu-central-2.vpce.amazonaws.com")).toBe("eu-central-2");
  });

  it("reads a two-digit region number, which the catalog accepts for a provider's region", () => {
    // Issue 11: the catalog's `region` and the host reading share one pattern, so they cannot disagree.
    expect(awsRegionName.safeParse("ap-southeast-12").success).toBe(true);
    expect(bedrockRegionOf("https://bedrock-runtime.ap-southeast-12.amazonaws.com")).toBe("ap-southeast-12");
  });

  it("refuses a host without a region name, and a three-digit number the catalog refuses too", () => {
    expect(() => bedrockRegionOf("http://127.0.0.1:8443")).toThrow(/names no region/);
    expect(awsRegionName.safeParse("us-east-123").success).toBe(false);
    expect(() => bedrockRegionOf("https://bedrock-runtime.us-east-123.amazonaws.com")).toThrow(/names no region/);
  });
});
