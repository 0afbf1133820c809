import { readFile } from "node:fs/promises";
import { createServer } from "node:net";

/** The lowest port we pick: above the well-known and most registered service ports. */
const lowestPort = 20_000;

/**
 * A free TCP port on 127.0.0.1 below the kernel's ephemeral range, for a server that is stopped and
 * started again on the same port. While it is down, no `listen(0)` of a parallel test and no outgoing
 * connection can be given that port, as they could be with a port the kernel picked (`findFreePort`).
 */
export async function findRestartablePort(): Promise<number> {
  const ephemeralStart = await readEphemeralRangeStart();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = lowestPort + Math.floor(Math.random() * (ephemeralStart - lowestPort));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found between ${lowestPort} and ${ephemeralStart}`);
}

/** Linux tells its range; elsewhere assume the IANA dynamic range (49152–65535), above 32768 anyway. */
async function readEphemeralRangeStart(): Promise<number> {
  const text = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8").catch(() => "");
  const start = Number(text.trim().split(/\s+/)[0]);
  return Number.isInteger(start) && start > lowestPort + 1_000 ? start : 32_768;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
