import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, Hash, toUtf8 } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBedrockUpstream, type FakeBedrockUpstream } from "./fake-bedrock-upstream.js";
import { fakeEmbedding } from "./fake-embedding.js";

const account = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const path = "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse";
const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }] });

interface Signing {
  region?: string;
  service?: string;
  secretAccessKey?: string;
  /** The body signed and sent instead of the default one. */
  body?: string;
  /** Sent instead of the signed body. */
  sentBody?: string;
}

/** The fake's answers to requests signed by the AWS SDK's own signer, as an AWS client would sign them. */
describe("fake Bedrock Runtime", () => {
  let bedrock: FakeBedrockUpstream;

  beforeAll(async () => {
    bedrock = await startFakeBedrockUpstream({ region: "eu-west-3", ...account });
  });
  afterAll(() => bedrock.close());

  async function post(requestPath: string, signing: Signing | null, bodyToSign = body): Promise<Response> {
    const url = new URL(requestPath, bedrock.url);
    const requestBody = signing?.body ?? bodyToSign;
    const headers: Record<string, string> = { "content-type": "application/json", host: url.host };
    if (signing !== null) {
      const signer = new SignatureV4({
        credentials: { accessKeyId: account.accessKeyId, secretAccessKey: signing.secretAccessKey ?? account.secretAccessKey },
        region: signing.region ?? "eu-west-3",
        service: signing.service ?? "bedrock",
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath: true,
        applyChecksum: false,
      });
      const signed = await signer.sign({ method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers, body: requestBody });
      Object.assign(headers, signed.headers);
    }
    delete headers["host"];
    return fetch(url, { method: "POST", headers, body: signing?.sentBody ?? requestBody });
  }

  it("answers a request signed for its region and the service bedrock with a Converse response", async () => {
    bedrock.setScript({ text: "Hello.", usage: { inputTokens: 3, outputTokens: 2 } });
    const response = await post(path, {});
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      output: { message: { role: "assistant", content: [{ text: "Hello." }] } },
      stopReason: "end_turn",
      usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
    });
    expect(bedrock.requests.at(-1)).toMatchObject({ modelId: "anthropic.claude-3-5-haiku-20241022-v1:0", operation: "converse", signature: { region: "eu-west-3", service: "bedrock" } });
  });

  it("refuses toolUse and toolResult blocks without a toolConfig, as Converse does, and takes them with one", async () => {
    bedrock.setScript({ text: "18°C." });
    const messages = [
      { role: "user", content: [{ text: "Weather?" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "tooluse_1", content: [{ text: "18°C" }] } }] },
    ];
    const refused = await post(path, { body: JSON.stringify({ messages }) });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("x-amzn-errortype")).toBe("ValidationException");
    expect(await refused.json()).toEqual({ message: "The toolConfig field must be defined when using toolUse and toolResult content blocks." });
    expect(bedrock.requests.at(-1)!.refusedAs).toBe("ValidationException");
    const toolConfig = { tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object" } } } }] };
    expect((await post(path, { body: JSON.stringify({ messages, toolConfig }) })).status).toBe(200);
  });

  it("streams ConverseStream events in AWS's event-stream framing, each message's CRCs intact", async () => {
    bedrock.setScript({ toolUses: [{ toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } }], usage: { inputTokens: 3, outputTokens: 2 } });
    const response = await post(path.replace(/converse$/, "converse-stream"), {});
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    let bytes = new Uint8Array(await response.arrayBuffer());
    const events: { type: unknown; payload: Record<string, unknown> }[] = [];
    while (bytes.length > 0) {
      const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
      const message = codec.decode(bytes.subarray(0, length));
      expect(message.headers[":message-type"]?.value).toBe("event");
      expect(message.headers[":content-type"]?.value).toBe("application/json");
      events.push({ type: message.headers[":event-type"]?.value, payload: JSON.parse(toUtf8(message.body)) as Record<string, unknown> });
      bytes = bytes.subarray(length);
    }
    expect(events.map((event) => event.type)).toEqual(["messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"]);
    expect(events[1]!.payload).toMatchObject({ contentBlockIndex: 0, start: { toolUse: { toolUseId: "tooluse_1", name: "get_weather" } } });
    expect(events.slice(2, 4).map((event) => (event.payload["delta"] as { toolUse: { input: string } }).toolUse.input).join("")).toBe('{"city":"Paris"}');
    expect(events[5]!.payload).toMatchObject({ stopReason: "tool_use" });
    expect(events[6]!.payload).toMatchObject({ usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } });
  });

  it.each([
    { case: "no signature", signing: null, status: 403, type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" },
    { case: "another region", signing: { region: "us-east-1" }, status: 403, type: "InvalidSignatureException", message: "Credential should be scoped to a valid region, not 'us-east-1'. " },
    { case: "another service", signing: { service: "s3" }, status: 403, type: "InvalidSignatureException", message: "Credential should be scoped to correct service: 'bedrock'. " },
    { case: "a wrong secret key", signing: { secretAccessKey: "not-the-secret" }, status: 403, type: "InvalidSignatureException", message: expect.stringMatching(/^The request signature we calculated does not match/) },
    { case: "a body changed after signing", signing: { sentBody: body.replace("Hi", "Ho") }, status: 403, type: "InvalidSignatureException", message: expect.stringMatching(/^The request signature we calculated does not match/) },
  ])("refuses a request with $case as Bedrock does: $status $type", async ({ signing, status, type, message }) => {
    bedrock.setScript({ text: "never sent" });
    const response = await post(path, signing);
    expect(response.status).toBe(status);
    expect(response.headers.get("x-amzn-errortype")).toBe(type);
    expect(await response.json()).toEqual({ message });
    expect(bedrock.requests.at(-1)!.refusedAs).toBe(type);
  });
  it("embeds one text with Titan Text Embeddings V2 through InvokeModel, in the dimensions asked for", async () => {
    const response = await post("/model/amazon.titan-embed-text-v2%3A0/invoke", {}, JSON.stringify({ inputText: "two words", dimensions: 256, normalize: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amzn-bedrock-input-token-count")).toBe("2");
    const answer = (await response.json()) as { embedding: number[]; inputTextTokenCount: number; embeddingsByType: { float: number[] } };
    expect(answer).toEqual({ embedding: fakeEmbedding("two words", 256), inputTextTokenCount: 2, embeddingsByType: { float: fakeEmbedding("two words", 256) } });
    expect(bedrock.requests.at(-1)).toMatchObject({ modelId: "amazon.titan-embed-text-v2:0", operation: "invoke" });
  });

  it("embeds a batch with Cohere Embed v3 through InvokeModel, as embeddings_floats with the texts echoed", async () => {
    const response = await post("/model/cohere.embed-english-v3/invoke", {}, JSON.stringify({ texts: ["a b", "c"], input_type: "search_query" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amzn-bedrock-input-token-count")).toBe("3");
    expect(await response.json()).toEqual({
      embeddings: [fakeEmbedding("a b", 1024), fakeEmbedding("c", 1024)],
      id: expect.any(String),
      response_type: "embeddings_floats",
      texts: ["a b", "c"],
    });
  });

  it.each([
    { case: "Titan without inputText", path: "/model/amazon.titan-embed-text-v2%3A0/invoke", body: { texts: ["x"] } },
    { case: "Titan with dimensions it does not offer", path: "/model/amazon.titan-embed-text-v2%3A0/invoke", body: { inputText: "x", dimensions: 8 } },
    { case: "Cohere without input_type", path: "/model/cohere.embed-english-v3/invoke", body: { texts: ["x"] } },
    { case: "Cohere with more than 96 texts", path: "/model/cohere.embed-english-v3/invoke", body: { texts: Array.from({ length: 97 }, () => "x"), input_type: "search_document" } },
    { case: "a model it does not know", path: "/model/meta.llama3-8b-instruct-v1%3A0/invoke", body: { prompt: "x" } },
  ])("refuses an InvokeModel body of $case with a ValidationException", async ({ path: invokePath, body: invokeBody }) => {
    const response = await post(invokePath, {}, JSON.stringify(invokeBody));
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("ValidationException");
  });

  it("checks an InvokeModel request's signature like any other", async () => {
    const response = await post("/model/cohere.embed-english-v3/invoke", { region: "us-east-1" }, JSON.stringify({ texts: ["x"], input_type: "search_document" }));
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
  });
});
