import type { FastifyReply } from "fastify";

/**
 * The SSE side of one streamed response. Headers go out on `open()` — when the first output arrives, or
 * earlier when the first token is slow, so that `: SWITCHBOARD PROCESSING` comments keep clients and
 * proxies from timing out. Until then an error can still be a plain HTTP status. A write waits for the
 * client to drain its socket, so a slow reader holds back the relay, but never past `stop` (the client
 * left, or the generation hit its deadline): then writes are only buffered and `close()` drops a client
 * that is not reading.
 */
export class ServerSentEventsWriter {
  private keepAlive: NodeJS.Timeout | undefined;
  private isOpen = false;
  private drainWait: Promise<void> | undefined;

  constructor(
    private readonly reply: FastifyReply,
    private readonly generationId: string,
    private readonly keepAliveMs: number,
    private readonly stop: AbortSignal,
  ) {}

  get opened(): boolean {
    return this.isOpen;
  }

  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    this.reply.hijack();
    this.reply.raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-generation-id": this.generationId,
    });
    this.reply.raw.write(": SWITCHBOARD PROCESSING\n\n");
    this.keepAlive = setInterval(() => {
      // A client that is not reading needs no keep-alive, and its buffer should not grow.
      if (!this.reply.raw.writableNeedDrain) void this.write(": SWITCHBOARD PROCESSING\n\n");
    }, this.keepAliveMs);
  }

  send(chunk: object): Promise<void> {
    return this.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  async done(): Promise<void> {
    await this.write("data: [DONE]\n\n");
  }

  /** Stops the keep-alive and ends the response; a client that stopped reading is disconnected instead. */
  close(): void {
    clearInterval(this.keepAlive);
    const raw = this.reply.raw;
    if (raw.destroyed || raw.writableEnded) return;
    if (raw.writableNeedDrain && this.stop.aborted) raw.destroy();
    else raw.end();
  }

  private async write(text: string): Promise<void> {
    const raw = this.reply.raw;
    if (raw.destroyed) return;
    raw.write(text);
    if (raw.writableNeedDrain && !this.stop.aborted) await this.drained();
  }

  /** One shared wait per congestion, whoever is writing: resolves on drain, disconnect or stop. */
  private drained(): Promise<void> {
    const raw = this.reply.raw;
    this.drainWait ??= new Promise<void>((resolve) => {
      const done = () => {
        raw.off("drain", done);
        raw.off("close", done);
        this.stop.removeEventListener("abort", done);
        this.drainWait = undefined;
        resolve();
      };
      raw.on("drain", done);
      raw.on("close", done);
      this.stop.addEventListener("abort", done);
    });
    return this.drainWait;
  }
}
