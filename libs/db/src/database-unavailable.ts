/**
 * SQLSTATEs that say the server cannot serve anyone right now, not that this query is wrong:
 * connection exceptions (class 08), shutting down or starting up (57P01–57P03), and no free connection slot.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const unavailableStates = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Socket errors of a server that is down, restarting or unreachable. */
const unavailableSocketCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
/** What `pg` throws without a code when a connection dies or the pool cannot get one in time. */
const unavailableMessages = [/connection terminated/i, /timeout exceeded when trying to connect/i, /not queryable/i];

/**
 * True when `error` comes from PostgreSQL being down or unreachable (a restart, an outage), as opposed to
 * a query or data problem. Services answer such errors with a retryable 503 instead of a 500 that looks
 * like a bug, and readiness goes red meanwhile.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (code.startsWith("08") || unavailableStates.has(code) || unavailableSocketCodes.has(code))) return true;
    if (unavailableMessages.some((pattern) => pattern.test(current.message))) return true;
    // A host name with several addresses fails with one error per address.
    if (current instanceof AggregateError && current.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}
