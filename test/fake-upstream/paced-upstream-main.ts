import { startPacedUpstream } from "./paced-upstream.js";

/**
 * Runs the paced upstream as a process of its own (the benchmark's provider, so its CPU is not charged
 * to the load generator): `PORT` (default 0 = any free port) and `HOST` (default 127.0.0.1); prints one
 * JSON line `{"url": "..."}` once listening.
 */
async function main(): Promise<void> {
  const upstream = await startPacedUpstream({ port: Number(process.env["PORT"] ?? 0), host: process.env["HOST"] ?? "127.0.0.1" });
  process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`);
  const shutdown = () => {
    upstream.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
