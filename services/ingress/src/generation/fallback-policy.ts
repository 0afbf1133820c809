/**
 * How far provider fallback goes before the client gets the last error (issue 9). Without a cap, a model
 * with many endpoints that all fail keeps a client waiting one acceptance or idle timeout per endpoint.
 */
export interface FallbackPolicy {
  /**
   * Attempts at most per requested model. Each model of `models` gets its own allowance, so a model whose
   * endpoints all fail still leaves room for the next model (OpenRouter's model fallback).
   */
  maximumAttemptsPerModel: number;
  /** No further attempt starts once this long has passed since the generation began (once the key was authenticated); the one running is not cut short. */
  deadlineMs: number;
}

export const defaultFallbackPolicy: FallbackPolicy = { maximumAttemptsPerModel: 3, deadlineMs: 60_000 };
