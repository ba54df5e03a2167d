/**
 * Calls issued together before yielding. Upstream issues a whole batch at once (goroutines); here
 * an in-process call runs to completion without yielding (about a millisecond of CPU for a pod
 * create), so a batch is issued in chunks with a turn for the rest of the process between them.
 */
export const SLOW_START_CHUNK = 8;

/**
 * controller's slowStartBatch: runs `count` calls of `create` in batches of 1, 2, 4 … so that a
 * failing create (a quota, a webhook) costs one call rather than hundreds. Stops after the first
 * batch with an error; returns how many succeeded and that error. `yieldTurn` is awaited between
 * chunks of {@link SLOW_START_CHUNK} calls and between batches (the controller context's
 * clock-based turn), so a 500-pod burst never holds the event loop for long.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  create: () => Promise<void>,
  yieldTurn: () => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  let issuedAny = false;
  for (
    let batchSize = Math.min(remaining, initialBatchSize);
    batchSize > 0;
    batchSize = Math.min(2 * batchSize, remaining)
  ) {
    let error: unknown;
    for (let issued = 0; issued < batchSize; issued += SLOW_START_CHUNK) {
      if (issuedAny) await yieldTurn();
      issuedAny = true;
      const size = Math.min(SLOW_START_CHUNK, batchSize - issued);
      const results = await Promise.allSettled(Array.from({ length: size }, () => create()));
      for (const result of results) {
        if (result.status === "fulfilled") successes++;
        else if (error === undefined) error = result.reason;
      }
    }
    if (error !== undefined) return { successes, error };
    remaining -= batchSize;
  }
  return { successes };
}
