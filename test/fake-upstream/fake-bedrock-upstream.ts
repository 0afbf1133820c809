import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, Hash, toUtf8 } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import { fakeEmbedding } from "./fake-embedding.js";

/** A tool call the fake answers with, as a Converse `toolUse` block. */
export interface FakeBedrockToolUse {
  /** Defaults to a generated `tooluse_…` id, as Bedrock mints them. */
  toolUseId?: string;
  name: string;
  input: Record<string, unknown>;
}

/** Token counts the fake reports, in Converse's `usage` fields. */
export interface FakeBedrockUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** How the fake Bedrock Runtime answers one request; with no field set it echoes the last user text. */
export interface FakeBedrockScript {
  /** Answer with this HTTP status and Bedrock's error body and `x-amzn-ErrorType` (429: ThrottlingException). */
  status?: number;
  text?: string;
  toolUses?: FakeBedrockToolUse[];
  /** Defaults to `tool_use` with tool uses, `end_turn` otherwise. */
  stopReason?: string;
  usage?: FakeBedrockUsage;
}

/** The SigV4 credential scope a request was signed with, as its Authorization header names it. */
export interface BedrockSignatureScope {
  accessKeyId: string;
  /** `yyyymmdd` */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
}

/** What the fake saw of one request, accepted or not. */
export interface RecordedBedrockRequest {
  /** The path as sent, the model id in it still encoded: `/model/amazon.nova-lite-v1%3A0/converse`. */
  url: string;
  /** The model id, decoded. */
  modelId: string;
  operation: "converse" | "converse-stream" | "invoke";
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The scope the Authorization header names; null when it names none. */
  signature: BedrockSignatureScope | null;
  /** The AWS error type the request was refused with for its signature (`InvalidSignatureException`, …) or its tool blocks (`ValidationException`); absent when it was accepted. */
  refusedAs?: string;
}

/** The account the fake knows; requests must be signed with its keys, for its region and the service `bedrock`. */
export interface FakeBedrockOptions {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A running fake of Amazon Bedrock Runtime's Converse, ConverseStream and InvokeModel for embedding models. */
export interface FakeBedrockUpstream {
  /** `http://127.0.0.1:port`: names no region, so a catalog entry for it must set `region`. */
  readonly url: string;
  readonly region: string;
  /** The provider secret the connector needs for this fake: `<access key id>:<secret access key>`. */
  readonly credential: string;
  setScript(script: FakeBedrockScript | ((body: Record<string, unknown>) => FakeBedrockScript)): void;
  readonly requests: readonly RecordedBedrockRequest[];
  close(): Promise<void>;
}

/** Bedrock Runtime's exception names by HTTP status (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors). */
const exceptionNames: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

const operationPattern = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;

/** Titan Text Embeddings V2's accepted `dimensions`, its default first. */
const titanDimensions = [1024, 512, 256];

/** Cohere Embed v3's `input_type` values for text, and its most texts per call. */
const cohereInputTypes = ["search_document", "search_query", "classification", "clustering"];
const maximumCohereTexts = 96;

/** Cohere Embed v3's vector size. */
const cohereDimensions = 1024;

/** A deterministic token count for a text: its words (the fake has no tokenizer; tests compute the same). */
export function fakeBedrockTokenCount(text: string): number {
  return text.split(/\s+/).filter((word) => word !== "").length;
}

/** What InvokeModel answers for an embedding model, or the ValidationException it refuses the body with. */
type InvokeAnswer = { body: Record<string, unknown>; headers?: Record<string, string> } | { problem: string };

/**
 * InvokeModel for the embedding families the fake knows, by model id: Amazon Titan Text Embeddings V2
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html):
 * `{inputText, dimensions?, normalize?, embeddingTypes?}` → `{embedding, inputTextTokenCount,
 * embeddingsByType: {float}}`; and Cohere Embed v3 (model-parameters-embed-v3.html): `{texts, input_type,
 * truncate?, embedding_types?}` → `{embeddings, id, response_type: "embeddings_floats", texts}`, its token
 * count only in the `X-Amzn-Bedrock-Input-Token-Count` header as InvokeModel reports it.
 */
function invokeEmbeddingModel(modelId: string, body: Record<string, unknown>): InvokeAnswer {
  if (modelId.startsWith("amazon.titan-embed-text-v2")) {
    const inputText = body["inputText"];
    if (typeof inputText !== "string" || inputText === "") return { problem: "Malformed input request: #: required key [inputText] not found, please reformat your input and try again." };
    const dimensions = body["dimensions"] ?? titanDimensions[0];
    if (typeof dimensions !== "number" || !titanDimensions.includes(dimensions)) {
      return { problem: `Malformed input request: #/dimensions: ${String(dimensions)} is not a valid enum value, please reformat your input and try again.` };
    }
    if (body["normalize"] !== undefined && typeof body["normalize"] !== "boolean") return { problem: "Malformed input request: #/normalize: expected type: Boolean, please reformat your input and try again." };
    const embedding = fakeEmbedding(inputText, dimensions);
    const tokens = fakeBedrockTokenCount(inputText);
    return { body: { embedding, inputTextTokenCount: tokens, embeddingsByType: { float: embedding } }, headers: { "x-amzn-bedrock-input-token-count": String(tokens) } };
  }
  if (modelId.startsWith("cohere.embed-")) {
    const texts = body["texts"];
    if (!Array.isArray(texts) || !texts.every((text) => typeof text === "string")) return { problem: "Malformed input request: #: required key [texts] not found, please reformat your input and try again." };
    if (texts.length > maximumCohereTexts) return { problem: `Malformed input request: #/texts: expected maximum item count: ${maximumCohereTexts}, found: ${texts.length}, please reformat your input and try again.` };
    if (typeof body["input_type"] !== "string" || !cohereInputTypes.includes(body["input_type"])) {
      return { problem: "Malformed input request: #/input_type: input_type must be one of search_document, search_query, classification, clustering, please reformat your input and try again." };
    }
    const tokens = texts.reduce((total: number, text: string) => total + fakeBedrockTokenCount(text), 0);
    return {
      body: { embeddings: texts.map((text: string) => fakeEmbedding(text, cohereDimensions)), id: randomUUID(), response_type: "embeddings_floats", texts },
      headers: { "x-amzn-bedrock-input-token-count": String(tokens) },
    };
  }
  return { problem: "The provided model identifier is invalid." };
}
const authorizationPattern = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const amazonDatePattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** An error AWS's front door raises before the operation runs, by its type, HTTP status and message. */
interface SignatureProblem {
  type: string;
  status: number;
  message: string;
}

function signatureScopeOf(authorization: string | undefined): BedrockSignatureScope | null {
  const match = authorizationPattern.exec(authorization ?? "");
  if (!match) return null;
  return { accessKeyId: match[1]!, date: match[2]!, region: match[3]!, service: match[4]!, signedHeaders: match[5]!.split(";") };
}

/** Recomputes the request's signature with the account's secret, from exactly what arrived: method, path, signed headers and body bytes. */
async function expectedSignature(request: IncomingMessage, body: string, scope: BedrockSignatureScope, options: FakeBedrockOptions): Promise<string | undefined> {
  const date = amazonDatePattern.exec(String(request.headers["x-amz-date"] ?? ""));
  if (!date) return undefined;
  const url = new URL(request.url ?? "/", "http://fake");
  const headers = Object.fromEntries(scope.signedHeaders.map((name) => [name, String(request.headers[name] ?? "")]));
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    region: scope.region,
    service: scope.service,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: request.method ?? "POST", protocol: "http:", hostname: url.hostname, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body },
    { signingDate: new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6]))) },
  );
  return /Signature=([0-9a-f]{64})/.exec(String(signed.headers["authorization"]))?.[1];
}

/**
 * What AWS answers a request whose signature it does not take, checked in the order its front door does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html): no Authorization
 * header, one that is not SigV4, an unknown access key, a scope for another region or service, then a
 * signature that does not match the request. Undefined when the request is signed as it should be.
 */
async function signatureProblemOf(request: IncomingMessage, body: string, scope: BedrockSignatureScope | null, options: FakeBedrockOptions): Promise<SignatureProblem | undefined> {
  const authorization = request.headers["authorization"];
  if (authorization === undefined) return { type: "MissingAuthenticationTokenException", status: 403, message: "Missing Authentication Token" };
  if (scope === null) {
    return { type: "IncompleteSignatureException", status: 400, message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${authorization.split(" ")[0]}` };
  }
  if (scope.accessKeyId !== options.accessKeyId) return { type: "UnrecognizedClientException", status: 403, message: "The security token included in the request is invalid." };
  if (scope.region !== options.region) return { type: "InvalidSignatureException", status: 403, message: `Credential should be scoped to a valid region, not '${scope.region}'. ` };
  if (scope.service !== "bedrock") return { type: "InvalidSignatureException", status: 403, message: "Credential should be scoped to correct service: 'bedrock'. " };
  const sent = authorizationPattern.exec(authorization)?.[6];
  if (!scope.signedHeaders.includes("host") || sent !== (await expectedSignature(request, body, scope, options))) {
    return {
      type: "InvalidSignatureException",
      status: 403,
      message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    };
  }
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether Converse messages hold a `toolUse` or `toolResult` block. */
function holdsToolBlocks(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  return messages.some((message: { content?: unknown }) =>
    Array.isArray(message.content) && message.content.some((block: Record<string, unknown>) => block["toolUse"] !== undefined || block["toolResult"] !== undefined),
  );
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as { role?: unknown; content?: { text?: unknown }[] }[]) : [];
  const last = [...messages].reverse().find((message) => message.role === "user");
  return (last?.content ?? []).map((block) => (typeof block.text === "string" ? block.text : "")).join("");
}

function words(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

/**
 * Bedrock pads every stream event with a `p` field of random length, so that event sizes do not reveal
 * token lengths; clients must ignore it.
 */
function padding(): string {
  return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".slice(0, 1 + randomBytes(1)[0]! % 40);
}

/**
 * Starts the fake. It answers as bedrock-runtime.<region>.amazonaws.com does, after checking the SigV4
 * signature against the account it was given: Converse
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html) with
 * `output.message.content` blocks, `stopReason`, `usage` and `metrics`; ConverseStream
 * (API_runtime_ConverseStream.html) as `application/vnd.amazon.eventstream` messages encoded by the AWS
 * SDK's own codec (prelude, headers `:event-type` / `:content-type` / `:message-type`, CRC32s): messageStart,
 * the text's contentBlockDelta events and its contentBlockStop (text blocks have no contentBlockStart),
 * then per tool use contentBlockStart, its input in contentBlockDelta pieces, contentBlockStop, and last
 * messageStop and metadata with the usage; and InvokeModel (`/model/{modelId}/invoke`) for Titan Text
 * Embeddings V2 and Cohere Embed v3 (see invokeEmbeddingModel). Errors carry `{"message"}` and the
 * `x-amzn-ErrorType` header.
 */
export async function startFakeBedrockUpstream(options: FakeBedrockOptions): Promise<FakeBedrockUpstream> {
  let chooseScript: (body: Record<string, unknown>) => FakeBedrockScript = () => ({});
  const requests: RecordedBedrockRequest[] = [];
  const codec = new EventStreamCodec(toUtf8, fromUtf8);

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const fail = (status: number, type: string, message: string) => {
      response.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": requestId, "x-amzn-errortype": type });
      response.end(JSON.stringify({ message }));
    };
    const operation = operationPattern.exec(request.url ?? "");
    if (request.method !== "POST" || !operation) {
      fail(404, "UnknownOperationException", `Unknown operation: ${request.method} ${request.url}`);
      return;
    }
    const text = await readBody(request);
    const body = parseJsonObject(text);
    const scope = signatureScopeOf(request.headers["authorization"]);
    const recorded: RecordedBedrockRequest = {
      url: request.url ?? "",
      modelId: decodeURIComponent(operation[1]!),
      operation: operation[2] as RecordedBedrockRequest["operation"],
      headers: request.headers,
      body: body ?? {},
      signature: scope,
    };
    requests.push(recorded);
    const problem = await signatureProblemOf(request, text, scope, options);
    if (problem !== undefined) {
      recorded.refusedAs = problem.type;
      fail(problem.status, problem.type, problem.message);
      return;
    }
    // The signature is checked first, as AWS's front door does, then the operation reads the body.
    if (body === undefined) {
      fail(400, "SerializationException", "Unexpected end of JSON input or a body that is not a JSON object");
      return;
    }
    if (operation[2] === "invoke") {
      const script = chooseScript(body);
      if (script.status !== undefined) {
        fail(script.status, exceptionNames[script.status] ?? "InternalServerException", `Scripted HTTP ${script.status}`);
        return;
      }
      const invoked = invokeEmbeddingModel(recorded.modelId, body);
      if ("problem" in invoked) {
        fail(400, "ValidationException", invoked.problem);
        return;
      }
      response.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": requestId, ...invoked.headers });
      response.end(JSON.stringify(invoked.body));
      return;
    }
    if (!Array.isArray(body["messages"]) || body["messages"].length === 0) {
      fail(400, "ValidationException", "A conversation must start with a user message. Try again with a conversation that starts with a user message.");
      return;
    }
    // Converse refuses a conversation holding tool blocks unless the request declares tools, even when none is to be called
    // (https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html).
    if (body["toolConfig"] === undefined && holdsToolBlocks(body["messages"])) {
      recorded.refusedAs = "ValidationException";
      fail(400, "ValidationException", "The toolConfig field must be defined when using toolUse and toolResult content blocks.");
      return;
    }
    const script = chooseScript(body);
    if (script.status !== undefined) {
      fail(script.status, exceptionNames[script.status] ?? "InternalServerException", `Scripted HTTP ${script.status}`);
      return;
    }
    const toolUses = (script.toolUses ?? []).map((toolUse) => ({ ...toolUse, toolUseId: toolUse.toolUseId ?? `tooluse_${randomBytes(16).toString("base64url")}` }));
    const answerText = script.text ?? (toolUses.length === 0 ? `Echo: ${lastUserText(body)}` : "");
    const stopReason = script.stopReason ?? (toolUses.length > 0 ? "tool_use" : "end_turn");
    const given = script.usage ?? { inputTokens: 10, outputTokens: 5 };
    const usage = {
      inputTokens: given.inputTokens,
      outputTokens: given.outputTokens,
      totalTokens: given.inputTokens + given.outputTokens + (given.cacheReadInputTokens ?? 0) + (given.cacheWriteInputTokens ?? 0),
      cacheReadInputTokens: given.cacheReadInputTokens ?? 0,
      cacheWriteInputTokens: given.cacheWriteInputTokens ?? 0,
    };

    if (operation[2] === "converse") {
      const content = [...(answerText !== "" ? [{ text: answerText }] : []), ...toolUses.map((toolUse) => ({ toolUse }))];
      response.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": requestId });
      response.end(JSON.stringify({ output: { message: { role: "assistant", content } }, stopReason, usage, metrics: { latencyMs: 12 } }));
      return;
    }

    response.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": requestId });
    const event = (type: string, payload: Record<string, unknown>) =>
      response.write(
        codec.encode({
          headers: {
            ":event-type": { type: "string", value: type },
            ":content-type": { type: "string", value: "application/json" },
            ":message-type": { type: "string", value: "event" },
          },
          body: fromUtf8(JSON.stringify({ ...payload, p: padding() })),
        }),
      );
    event("messageStart", { role: "assistant" });
    let contentBlockIndex = 0;
    if (answerText !== "") {
      for (const piece of words(answerText)) event("contentBlockDelta", { contentBlockIndex, delta: { text: piece } });
      event("contentBlockStop", { contentBlockIndex });
      contentBlockIndex += 1;
    }
    for (const toolUse of toolUses) {
      event("contentBlockStart", { contentBlockIndex, start: { toolUse: { toolUseId: toolUse.toolUseId, name: toolUse.name } } });
      const input = JSON.stringify(toolUse.input);
      const middle = Math.ceil(input.length / 2);
      for (const piece of [input.slice(0, middle), input.slice(middle)]) event("contentBlockDelta", { contentBlockIndex, delta: { toolUse: { input: piece } } });
      event("contentBlockStop", { contentBlockIndex });
      contentBlockIndex += 1;
    }
    event("messageStop", { stopReason });
    event("metadata", { usage, metrics: { latencyMs: 12 } });
    response.end();
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else {
        response.writeHead(500, { "content-type": "application/json", "x-amzn-errortype": "InternalServerException" });
        response.end(JSON.stringify({ message: `fake failed: ${String(error)}` }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    region: options.region,
    credential: `${options.accessKeyId}:${options.secretAccessKey}`,
    setScript(script) {
      chooseScript = typeof script === "function" ? script : () => script;
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
