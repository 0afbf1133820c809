import autocannon from "autocannon";

/** One HTTP request the load generator repeats. */
export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
  body: string;
  /**
   * Headers laid over `headers` per connection: the first connection takes the first entry, and so on,
   * round robin. The benchmark spreads its load over many accounts this way, one account's key per connection.
   */
  connectionHeaders?: readonly Record<string, string>[];
}

/** What one run of the load generator saw. */
export interface LoadRun {
  /** Latency of every 2xx answer, milliseconds, at the load generator's full resolution. */
  latenciesMs: number[];
  /** Answers by HTTP status. */
  statusCounts: Record<string, number>;
  /** 2xx answers. */
  succeeded: number;
  /** Non-2xx answers, connection errors and timeouts. */
  failed: number;
  elapsedSeconds: number;
  /** 2xx answers per second. */
  requestsPerSecond: number;
}

/** Sends `amount` requests (at least one per connection) over `connections` keep-alive connections, each sending the next when the last is answered. */
export async function runLoadAmount(target: LoadTarget, connections: number, amount: number): Promise<LoadRun> {
  const latenciesMs: number[] = [];
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const connectionHeaders = target.connectionHeaders ?? [];
  let connectionsSetUp = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: "POST",
        headers: target.headers,
        body: target.body,
        connections,
        // A fixed number of requests rather than a duration: at the end of a duration autocannon destroys the
        // connections with requests still in flight, which Switchboard then sees as cancelled generations and
        // the count of recorded generations could no longer be checked against the 2xx count.
        amount: Math.max(amount, connections),
        timeout: 30,
        // autocannon notices the end of a fixed amount only at its next sample; the default of a second
        // would add up to a second to every run.
        sampleInt: 20,
        // Called once for each connection as autocannon creates it, before its first request; autocannon
        // merges these headers over `headers` (https://github.com/mcollina/autocannon#client-api).
        setupClient:
          connectionHeaders.length === 0
            ? undefined
            : (client) => {
                client.setHeaders(connectionHeaders[connectionsSetUp % connectionHeaders.length] ?? {});
                connectionsSetUp += 1;
              },
      },
      (error: unknown, finished) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(finished)),
    );
    // autocannon's own histogram keeps whole milliseconds; the event carries the hrtime-based figure.
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      lastAnswerAt = performance.now();
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTime);
    });
  });
  // Up to the last answer, not to the end of autocannon's sampling.
  const elapsedSeconds = (lastAnswerAt - startedAt) / 1000;
  const statusCounts: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) statusCounts[status] = stats.count ?? 0;
  const succeeded = result["2xx"];
  return {
    latenciesMs,
    statusCounts,
    succeeded,
    failed: result.non2xx + result.errors,
    elapsedSeconds,
    requestsPerSecond: succeeded / elapsedSeconds,
  };
}

/**
 * Runs `connections` connections for about `seconds`: a short calibration run (which also warms this concurrency up) sizes a run of a
 * fixed number of requests. Returns the calibration and the measured run.
 */
export async function runNonStreamingLoad(target: LoadTarget, connections: number, seconds: number): Promise<{ calibration: LoadRun; measured: LoadRun }> {
  const calibration = await runLoadAmount(target, connections, Math.max(connections * 2, 20));
  const amount = Math.max(connections, Math.round(calibration.requestsPerSecond * seconds));
  const measured = await runLoadAmount(target, connections, amount);
  return { calibration, measured };
}
