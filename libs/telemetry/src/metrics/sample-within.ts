/**
 * The value `sample` resolves to, or undefined when it fails or takes longer than `timeoutMs`: a scrape
 * must answer even while the database or NATS does not (the gauge then keeps its last value).
 */
export async function sampleWithin(sample: () => Promise<number>, timeoutMs: number): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      sample(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(resolve, timeoutMs, undefined);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
