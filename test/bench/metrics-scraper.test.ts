import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startMetricsScraper } from "./metrics-scraper.js";

const validText = "# HELP requests_total Requests.\n# TYPE requests_total counter\nrequests_total 3\n";

async function serve(answer: (respond: (status: number, body: string) => void) => void): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((_request, response) => {
    hits += 1;
    answer((status, body) => response.writeHead(status, { "content-type": "text/plain; version=0.0.4" }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server, hits: () => hits };
}

// BENCH_TELEMETRY=on scrapes every service's /metrics like Prometheus; the report counts the scrapes that
// succeeded, so only an answer that a Prometheus server would take counts.
describe("startMetricsScraper", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it("counts as succeeded only 200 answers that parse as Prometheus text, within the interval", async () => {
    const good = await serve((respond) => respond(200, validText));
    const failing = await serve((respond) => respond(500, validText));
    const garbled = await serve((respond) => respond(200, "requests total 3\n"));
    const slow = await serve((respond) => setTimeout(() => respond(200, validText), 1_000));
    servers.push(good.server, failing.server, garbled.server, slow.server);

    const scraper = startMetricsScraper(
      [
        { name: "good", url: good.url },
        { name: "failing", url: failing.url },
        { name: "garbled", url: garbled.url },
        { name: "slow", url: slow.url },
        { name: "refused", url: "http://127.0.0.1:1/metrics" },
      ],
      // Long enough that a healthy answer is never late on a loaded machine, shorter than the slow target's second.
      400,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const counts = await scraper.stop();

    const byName = Object.fromEntries(counts.map((entry) => [entry.name, entry]));
    expect(byName["good"]?.attempted).toBeGreaterThanOrEqual(2);
    expect(byName["good"]?.succeeded, "every scrape of a healthy target").toBe(good.hits());
    expect(byName["good"]?.succeeded).toBeGreaterThanOrEqual(2);
    for (const name of ["failing", "garbled", "slow", "refused"]) {
      expect(byName[name]?.attempted, name).toBeGreaterThanOrEqual(2);
      expect(byName[name]?.succeeded, name).toBe(0);
    }
    expect(await scraper.stop(), "stopping again changes nothing").toEqual(counts);
  });
});
