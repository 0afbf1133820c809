/** An upstream server that can be started on a given address and closed. */
export interface StartableUpstream {
  url: string;
  close(): Promise<void>;
}

/**
 * Runs an upstream as a process of its own: `PORT` (default 0 = any free port) and `HOST` (default
 * 127.0.0.1); prints one JSON line `{"url": "..."}` once listening, so the parent learns the port; closes
 * and exits on SIGTERM or SIGINT.
 */
export function runUpstreamProcess(start: (options: { port: number; host: string }) => Promise<StartableUpstream>): void {
  const main = async () => {
    const upstream = await start({ port: Number(process.env["PORT"] ?? 0), host: process.env["HOST"] ?? "127.0.0.1" });
    process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`);
    const shutdown = () => {
      upstream.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
  };
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
