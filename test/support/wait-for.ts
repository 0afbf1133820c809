/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<Value>(check: () => Promise<Value | undefined>, timeoutMs = 5_000, what = "condition"): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
