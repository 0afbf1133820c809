/**
 * For a `main.ts` that starts at the top level: reports a start-up failure (bad settings, NATS refusing
 * the credentials) as its message alone, which says what to check, and ends the process; an operator
 * reading the log should not have to find the cause inside a stack trace.
 */
export function exitOnStartupFailure(service: string): (error: unknown) => never {
  return (error) => {
    console.error(`${service} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  };
}
