/**
 * Runs `step` every `tickMs` until it returns true; rejects with what it throws. The paced loads
 * of the benchmarks offer, on each tick, whatever has come due since the last one.
 */
export function everyTick(tickMs: number, step: () => boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const tick = setInterval(() => {
      try {
        if (!step()) return;
        clearInterval(tick);
        resolve();
      } catch (error) {
        clearInterval(tick);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }, tickMs);
  });
}
