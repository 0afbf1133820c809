import { gatewayError, gatewayErrorCodes } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { scrubErrorKeyMaterial, scrubKeyMaterial, scrubKeyPieces, scrubThrownKeyMaterial } from "./scrub-key-material.js";

describe("scrubKeyMaterial (issue 11: the provider's message travels, our key never)", () => {
  const openAiKey = "sk-proj-Zq81bXoPk2Lw9vYtR4mNabcd";

  it("replaces the whole key wherever the provider quotes it", () => {
    expect(scrubKeyMaterial(`Key ${openAiKey} is revoked; ${openAiKey} again`, openAiKey)).toBe("Key [redacted] is revoked; [redacted] again");
  });

  it("replaces a masked echo whose visible end is the key's end (OpenAI's 'Incorrect API key provided')", () => {
    expect(scrubKeyMaterial("Incorrect API key provided: sk-proj-****abcd. You can find your API key at https://platform.openai.com/account/api-keys.", openAiKey)).toBe(
      "Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys.",
    );
    expect(scrubKeyMaterial("key sk-...Nabcd and sk-…abcd", openAiKey)).toBe("key [redacted] and [redacted]");
  });

  it("keeps masked text and ellipses that neither start nor end like the key", () => {
    expect(scrubKeyMaterial("Incorrect API key provided: sk-svca-****wxyz. Please wait...retry", openAiKey)).toBe("Incorrect API key provided: sk-svca-****wxyz. Please wait...retry");
  });

  it("replaces a masked echo whose visible start (6 characters or more) is the start of a key piece", () => {
    expect(scrubKeyMaterial("Incorrect API key provided: sk-proj-Zq81****.", openAiKey)).toBe("Incorrect API key provided: [redacted].");
    expect(scrubKeyMaterial("cut at the bound: sk-proj-Zq81bX…", openAiKey)).toBe("cut at the bound: [redacted]");
    const aws = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    // AWS secrets hold `/`, `+` and `=`: the visible start runs through them.
    expect(scrubKeyMaterial("secret wJalrXUtnFEMI/K7MD... and id AKIAIO****", aws)).toBe("secret [redacted] and id [redacted]");
    // Five visible characters say too little.
    expect(scrubKeyMaterial("key AKIAI... was used", aws)).toBe("key AKIAI... was used");
  });

  it("splits AWS credentials as the signer does: everything after the second colon is the session token, colons included", () => {
    const token = "FwoGZXIvYXdzEBYaDH:Zq1";
    const aws = `AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:${token}`;
    expect(scrubKeyMaterial(`The security token ${token} is expired`, aws)).toBe("The security token [redacted] is expired");
  });

  it("replaces each part of AWS credentials, and the whole value", () => {
    const aws = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:FwoGZXIvYXdzEBYaDH";
    const message = `The security token included in the request is invalid. Access key AKIAIOSFODNN7EXAMPLE, secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, token FwoGZXIvYXdzEBYaDH, all: ${aws}`;
    const scrubbed = scrubKeyMaterial(message, aws);
    expect(scrubbed).toBe("The security token included in the request is invalid. Access key [redacted], secret [redacted], token [redacted], all: [redacted]");
  });

  it("replaces an AWS secret a JSON body quotes with its slashes escaped", () => {
    const aws = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const body = JSON.stringify({ message: "signature mismatch for wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }).replaceAll("/", "\\/");
    expect(body).toContain("wJalrXUtnFEMI\\/K7MDENG");
    expect(scrubKeyMaterial(body, aws)).toBe('{"message":"signature mismatch for [redacted]"}');
  });

  it("leaves text alone without a key, or with a key too short to be a secret worth garbling the message for", () => {
    expect(scrubKeyMaterial("Rate limit reached", undefined)).toBe("Rate limit reached");
    expect(scrubKeyMaterial("this is a test", "test")).toBe("this is a test");
  });
});

describe("scrubErrorKeyMaterial", () => {
  it("scrubs the message and every text in the metadata, and keeps the rest of the error", () => {
    const key = "sk-primary-test-0123456789";
    const error = gatewayError(gatewayErrorCodes.upstreamError, 502, `rejected ${key}`, {
      retryable: false,
      metadata: { raw: `Incorrect API key provided: sk-prim****6789.`, provider_code: "invalid_api_key", attempts: 2 },
    });
    expect(scrubErrorKeyMaterial(error, key)).toEqual({
      code: gatewayErrorCodes.upstreamError,
      status: 502,
      message: "rejected [redacted]",
      retryable: false,
      metadata: { raw: "Incorrect API key provided: [redacted].", provider_code: "invalid_api_key", attempts: 2 },
    });
  });
});

describe("scrubKeyPieces (stream events, before an adapter reads them)", () => {
  it("replaces whole pieces only, and keeps ellipses after a key's common start in the model's text", () => {
    const key = "sk-proj-Zq81bXoPk2Lw9vYtR4mNabcd";
    expect(scrubKeyPieces(`{"error":{"message":"bad key ${key}"}}`, key)).toBe('{"error":{"message":"bad key [redacted]"}}');
    expect(scrubKeyPieces("Project keys look like sk-proj-...", key)).toBe("Project keys look like sk-proj-...");
  });
});

describe("scrubThrownKeyMaterial (what a log line may say about a thrown value)", () => {
  it("keeps the class name and scrubs the message and the stack", () => {
    const key = "sk-proj-Zq81bXoPk2Lw9vYtR4mNabcd";
    const logged = scrubThrownKeyMaterial(new TypeError(`cannot read ${key}`), key);
    expect(logged).toMatchObject({ type: "TypeError", message: "cannot read [redacted]" });
    expect(JSON.stringify(logged)).not.toContain("sk-proj-Zq81");
    expect(scrubThrownKeyMaterial(`thrown text ${key}`, key)).toEqual({ type: "string", message: "thrown text [redacted]" });
  });
});
