import { startFakeUpstream } from "./fake-upstream.js";

/**
 * Runs the fake upstream as a process (the launcher's demo provider): `PORT` (default 0 = any free
 * port) and `HOST` (default 127.0.0.1); prints one JSON line `{"url": "..."}` once listening.
 */
async function main(): Promise<void> {
  const fakeUpstream = await startFakeUpstream({
    port: Number(process.env["PORT"] ?? 0),
    host: process.env["HOST"] ?? "127.0.0.1",
  });
  process.stdout.write(`${JSON.stringify({ url: fakeUpstream.url })}\n`);
  const shutdown = () => {
    fakeUpstream.close().then(
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
