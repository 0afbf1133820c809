/**
 * Every metric series Switchboard exports, by name: the metrics code creates its series from these, and the
 * Grafana dashboard's test checks each query against them, so a renamed series cannot leave a dashboard
 * panel silently empty. Names follow the Prometheus conventions (`_total` counters, base units in seconds).
 * Renaming one breaks dashboards and alerts: add a new name instead (README "Metrics").
 */
export const metricNames = {
  /** Counter {route, method, status}: HTTP requests ingress handled; route is the route pattern, never the URL; status 499: the client went away first. */
  httpRequests: "switchboard_http_requests_total",
  /** Histogram {route, method, status}: seconds from the request's arrival to its response's end. */
  httpRequestDuration: "switchboard_http_request_duration_seconds",
  /** Histogram {model, provider}: seconds from a generation's start (after authentication) to its end. */
  generationDuration: "switchboard_generation_duration_seconds",
  /** Histogram {model, provider}: seconds from a generation's start to its first output. */
  generationTimeToFirstToken: "switchboard_generation_time_to_first_token_seconds",
  /** Counter {model, provider, type}: tokens charged, by type (`tokenTypes`). */
  generationTokens: "switchboard_generation_tokens_total",
  /** Counter {model, provider}: US dollars charged for generations. */
  generationCost: "switchboard_generation_cost_usd_total",
  /** Counter {provider, class}: failed upstream calls, by the connector's class of failure (`upstreamErrorClasses`). */
  upstreamErrors: "switchboard_upstream_errors_total",
  /** Counter {model, reason}: attempts that failed and were followed by another candidate; reason is the error code. */
  fallbacks: "switchboard_fallbacks_total",
  /** Gauge: reservations holding credit (pending) in the ledger, sampled when scraped. */
  ledgerReservationsOpen: "switchboard_ledger_reservations_open",
  /** Counter: reservations the expiry sweeper released (their generation never reported). */
  ledgerReservationsExpired: "switchboard_ledger_reservations_expired_total",
  /** Counter {reason}: settlement anomalies billing recorded (the settlement_anomalies table's new rows). */
  settlementAnomalies: "switchboard_settlement_anomalies_total",
  /** Counter {consumer, reason}: facts a consumer moved to the dead-letter stream. */
  deadLetters: "switchboard_dead_letters_total",
  /** Histogram {subject}: seconds a NATS request waited for its reply, by subject pattern. */
  natsRequestDuration: "switchboard_nats_request_duration_seconds",
  /** Gauge {stream, consumer}: messages of the stream not yet delivered to the durable consumer (its lag), sampled when scraped. */
  jetstreamConsumerPending: "switchboard_jetstream_consumer_pending",
} as const;
export type MetricName = (typeof metricNames)[keyof typeof metricNames];

/**
 * prom-client's default Node.js and process metrics that the dashboard reads; every process exports them
 * (`processMetricsRegistry`), and a test checks they are really there.
 */
export const defaultMetricNames = {
  eventLoopLag: "nodejs_eventloop_lag_seconds",
  processCpu: "process_cpu_seconds_total",
  residentMemory: "process_resident_memory_bytes",
} as const;

/** Every name a dashboard query may use: Switchboard's series and the default ones above. */
export const exportedMetricNames: readonly string[] = [...Object.values(metricNames), ...Object.values(defaultMetricNames)];

/** The `type` label of `switchboard_generation_tokens_total`. */
export const tokenTypes = {
  input: "input",
  output: "output",
  reasoning: "reasoning",
  cachedInput: "cached_input",
  cacheWrite: "cache_write",
} as const;
export type TokenType = (typeof tokenTypes)[keyof typeof tokenTypes];

/** The `class` label of `switchboard_upstream_errors_total`. */
export const upstreamErrorClasses = {
  rateLimited: "rate_limited",
  server: "server",
  timeout: "timeout",
  network: "network",
  auth: "auth",
  client: "client",
} as const;
export type UpstreamErrorClass = (typeof upstreamErrorClasses)[keyof typeof upstreamErrorClasses];
