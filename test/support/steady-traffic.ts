import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";

/** What one chat completion of the steady traffic saw, on the clock of `performance.now()`. */
export interface TrafficRecord {
  kind: "stream" | "whole";
  startedAt: number;
  /** When the status line and headers arrived. */
  answeredAt?: number;
  /** When the body was read to its end, or the request failed. */
  endedAt?: number;
  status?: number;
  retryAfter?: string;
  /** The JSON body of a non-200 answer. */
  errorBody?: unknown;
  generationId?: string;
  /** A 200 with non-empty content, or a stream with at least one content chunk. */
  producedOutput: boolean;
  /** How a stream ended: `[DONE]`, or the connection closed without it. */
  streamEnd?: "done" | "cut";
  /** The in-band error of a stream (`error` beside `finish_reason: "error"`). */
  errorChunk?: { code: number; message: string };
  /** `usage.cost` the client was shown, in USD. */
  clientCostUsd?: number;
  /** A transport failure (connection refused or reset, timeout) instead of an HTTP answer. */
  failure?: string;
}

export interface SteadyTrafficOptions {
  /** `http://host:port`, without `/api/v1`. */
  origin: string;
  apiKey: string;
  model: string;
  /** New requests per second, alternately streamed and not, whether or not earlier ones have ended. */
  requestsPerSecond: number;
  /** No new request is sent while this many are open, so a hang cannot pile up without bound. */
  maximumInFlight: number;
  /** A request still open after this long is aborted and recorded as failed. */
  requestTimeoutMs: number;
  /**
   * The user message of the `count`-th request; by default `<kind> <count>`, which the scripted fake
   * provider of the outage tests matches its rules against. The soak asks the paced upstream for streams
   * of a given length this way.
   */
  content?: (kind: TrafficRecord["kind"], count: number) => string;
}

/**
 * Chat completions at a fixed rate, streamed and not. New requests keep coming while earlier ones hang
 * (an open loop, as real clients behave), so an outage is met by new requests from its first second.
 */
export interface SteadyTraffic {
  readonly records: readonly TrafficRecord[];
  /** Records of requests that have not ended yet. */
  inFlight(): TrafficRecord[];
  /** Sends nothing new and waits for the requests in flight to end. */
  stop(): Promise<void>;
}

interface ChatChunk {
  id?: string;
  choices?: { delta?: { content?: string | null } }[];
  error?: { code: number; message: string };
  usage?: { cost?: number };
}

interface ChatResponse {
  id?: string;
  choices?: { message?: { content?: string | null } }[];
  usage?: { cost?: number };
}

export function startSteadyTraffic(options: SteadyTrafficOptions): SteadyTraffic {
  const records: TrafficRecord[] = [];
  // Its own pool, with room for every request allowed in flight, so no request waits for a socket.
  const agent = new Agent({ connections: options.maximumInFlight, headersTimeout: options.requestTimeoutMs, bodyTimeout: options.requestTimeoutMs });
  const open = new Set<Promise<void>>();
  let stopping = false;
  let counter = 0;
  const content = options.content ?? ((kind: TrafficRecord["kind"], count: number) => `${kind} ${count}`);

  const send = async (kind: TrafficRecord["kind"]) => {
    counter += 1;
    const record: TrafficRecord = { kind, startedAt: performance.now(), producedOutput: false };
    records.push(record);
    try {
      const response = await request(`${options.origin}/api/v1/chat/completions`, {
        method: "POST",
        dispatcher: agent,
        headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model: options.model, messages: [{ role: "user", content: content(kind, counter) }], max_tokens: 50, stream: kind === "stream" }),
        signal: AbortSignal.timeout(options.requestTimeoutMs),
      });
      record.answeredAt = performance.now();
      record.status = response.statusCode;
      const retryAfter = response.headers["retry-after"];
      if (typeof retryAfter === "string") record.retryAfter = retryAfter;
      const generationId = response.headers["x-generation-id"];
      if (typeof generationId === "string") record.generationId = generationId;
      if (response.statusCode !== 200) {
        const text = await response.body.text();
        record.errorBody = parseJson(text) ?? text;
      } else if (kind === "whole") {
        const body = (await response.body.json()) as ChatResponse;
        record.generationId ??= body.id;
        const content = body.choices?.[0]?.message?.content;
        record.producedOutput = typeof content === "string" && content !== "";
        if (typeof body.usage?.cost === "number") record.clientCostUsd = body.usage.cost;
      } else {
        await readStream(response.body, record);
      }
    } catch (error) {
      record.failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (record.kind === "stream" && record.status === 200) record.streamEnd = "cut";
    } finally {
      record.endedAt = performance.now();
    }
  };

  const intervalMs = 1_000 / options.requestsPerSecond;
  const sending = (async () => {
    const startedAt = performance.now();
    for (let sent = 0; !stopping; sent += 1) {
      // Scheduled from the start, so a slow tick does not lower the rate.
      const wait = startedAt + sent * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopping || open.size >= options.maximumInFlight) continue;
      const pending = send(sent % 2 === 0 ? "stream" : "whole");
      open.add(pending);
      void pending.finally(() => open.delete(pending));
    }
  })();

  return {
    records,
    inFlight: () => records.filter((record) => record.endedAt === undefined),
    async stop() {
      stopping = true;
      await sending;
      await Promise.all([...open]);
      await agent.close();
    },
  };
}

/** Reads an SSE body to its end, noting content, an in-band error, the usage chunk's cost and `[DONE]`. */
async function readStream(body: AsyncIterable<Buffer>, record: TrafficRecord): Promise<void> {
  let buffered = "";
  let done = false;
  for await (const piece of body) {
    buffered += piece.toString("utf8");
    let boundary = buffered.indexOf("\n\n");
    while (boundary !== -1) {
      const event = buffered.slice(0, boundary);
      buffered = buffered.slice(boundary + 2);
      boundary = buffered.indexOf("\n\n");
      for (const line of event.split("\n")) {
        if (!line.startsWith("data: ")) continue;
        const data = line.slice("data: ".length);
        if (data === "[DONE]") {
          done = true;
          continue;
        }
        const chunk = parseJson(data) as ChatChunk | undefined;
        if (chunk === undefined) continue;
        record.generationId ??= chunk.id;
        const content = chunk.choices?.[0]?.delta?.content;
        if (typeof content === "string" && content !== "") record.producedOutput = true;
        if (chunk.error) record.errorChunk = chunk.error;
        if (typeof chunk.usage?.cost === "number") record.clientCostUsd = chunk.usage.cost;
      }
    }
  }
  record.streamEnd = done ? "done" : "cut";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
