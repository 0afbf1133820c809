import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAwsSigV4Signer } from "./aws-sigv4-signer.js";

/** The credentials and clock of AWS's SigV4 test suite (aws-sig-v4-test-suite, 2015-08-30T12:36:00Z). */
const suiteSecret = "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const signer = createAwsSigV4Signer(() => new Date("2015-08-30T12:36:00Z"));
const parameters = { region: "us-east-1", service: "service" };

describe("AWS SigV4 signer", () => {
  it("signs AWS's post-vanilla test vector", async () => {
    const headers = await signer.sign({ method: "POST", url: new URL("https://example.amazonaws.com/"), headers: {}, body: "" }, suiteSecret, parameters);
    expect(headers).toEqual({
      "x-amz-date": "20150830T123600Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    });
  });

  it("signs AWS's post-vanilla-query test vector: the query is part of the signature", async () => {
    const headers = await signer.sign({ method: "POST", url: new URL("https://example.amazonaws.com/?Param1=value1"), headers: {}, body: "" }, suiteSecret, parameters);
    expect(headers["authorization"]).toContain("Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11");
  });

  it("covers the body and the adapter's headers, and adds the session token of temporary credentials", async () => {
    const url = new URL("https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
    const sign = (body: string, secret = suiteSecret) =>
      signer.sign({ method: "POST", url, headers: { "content-type": "application/json" }, body }, secret, { region: "us-west-2" });
    const one = await sign('{"a":1}');
    const other = await sign('{"a":2}');
    expect(one["authorization"]).toContain("/us-west-2/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date,");
    expect(one["authorization"]).not.toBe(other["authorization"]);
    const temporary = await sign("{}", `${suiteSecret}:token:with:colons`);
    expect(temporary["x-amz-security-token"]).toBe("token:with:colons");
    expect(temporary["authorization"]).toContain("x-amz-security-token");
  });

  it("signs a Bedrock path whose model id holds ':' with the path encoded twice, as AWS SDKs do for services other than S3 (a known answer computed here by the spec)", async () => {
    // The request as the adapter sends it: the model id's ':' is %3A in the URL.
    const body = '{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}';
    const url = new URL("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse");
    const signed = await createAwsSigV4Signer(() => new Date("2024-01-15T09:30:00Z")).sign(
      { method: "POST", url, headers: { "content-type": "application/json" }, body },
      suiteSecret,
      { region: "us-east-1" },
    );

    // The same signature by the steps of https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html,
    // with node:crypto only. 1: the canonical request; its path is URI-encoded once more, so %3A becomes %253A.
    const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
    const hmac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text, "utf8").digest();
    const canonicalRequest = [
      "POST",
      "/model/anthropic.claude-3-5-haiku-20241022-v1%253A0/converse",
      "", // no query
      "content-type:application/json",
      "host:bedrock-runtime.us-east-1.amazonaws.com",
      "x-amz-date:20240115T093000Z",
      "", // the canonical headers end with a newline
      "content-type;host;x-amz-date",
      sha256(body),
    ].join("\n");
    // 2: the string to sign, over the credential scope date/region/service/aws4_request.
    const stringToSign = ["AWS4-HMAC-SHA256", "20240115T093000Z", "20240115/us-east-1/bedrock/aws4_request", sha256(canonicalRequest)].join("\n");
    // 3: the signing key, an HMAC chain from "AWS4" + the secret access key; 4: the signature.
    const signingKey = ["us-east-1", "bedrock", "aws4_request"].reduce((key, part) => hmac(key, part), hmac("AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20240115"));
    const signature = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");

    expect(signature).toBe("a2b6eb9537d3bbedd77dca19ef6649b64590330a2e0fd4a5b2a7dfdc1abeeb2d");
    expect(signed).toEqual({
      "x-amz-date": "20240115T093000Z",
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`,
    });
  });

  it("refuses a secret that is not <access key id>:<secret> and a missing region, as retryable configuration errors", async () => {
    const request = { method: "POST" as const, url: new URL("https://example.amazonaws.com/"), headers: {}, body: "" };
    await expect(signer.sign(request, "just-one-part", parameters)).rejects.toMatchObject({ error: { status: 502, retryable: true } });
    await expect(signer.sign(request, suiteSecret, {})).rejects.toMatchObject({ error: { status: 502, retryable: true } });
  });
});
