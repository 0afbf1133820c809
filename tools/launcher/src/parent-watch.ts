/**
 * Calls `onParentGone` when the launcher's parent changes. `npm start` runs us as npm's child; if npm is
 * SIGKILLed we are re-parented and nobody would ever send us a signal, so we stop ourselves.
 */
export function watchParentProcess(onParentGone: () => void, intervalMs = 1_000): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onParentGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
