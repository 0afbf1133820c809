import type { FastifyReply } from "fastify";

/**
 * The SSE side of one streamed response. Headers go out on `open()` — when the first output arrives, or
 * earlier when the first token is slow, so that `: SWITCHBOARD PROCESSING` comments keep clients and
 * proxies from timing out. Until then an error can still be a plain HTTP status. Writes wait for
 * `drain`, so a slow reader holds back the stream instead of growing this process's memory.
 */
export class ServerSentEventsWriter {
  private keepAlive: NodeJS.Timeout | undefined;
  private isOpen = false;

  constructor(
    private readonly reply: FastifyReply,
    private readonly generationId: string,
    private readonly keepAliveMs: number,
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
    this.keepAlive = setInterval(() => void this.write(": SWITCHBOARD PROCESSING\n\n"), this.keepAliveMs);
  }

  send(chunk: object): Promise<void> {
    return this.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  async done(): Promise<void> {
    await this.write("data: [DONE]\n\n");
  }

  /** Stops the keep-alive and ends the response (or what is left of it after a disconnect). */
  close(): void {
    clearInterval(this.keepAlive);
    if (!this.reply.raw.destroyed && !this.reply.raw.writableEnded) this.reply.raw.end();
  }

  private async write(text: string): Promise<void> {
    const raw = this.reply.raw;
    if (raw.destroyed) return;
    if (raw.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        raw.off("drain", done);
        raw.off("close", done);
        resolve();
      };
      raw.on("drain", done);
      raw.on("close", done);
    });
  }
}
