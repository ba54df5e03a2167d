import { yieldToEventLoop } from "../runtime/yieldToEventLoop";

/** Calls issued before yielding to the event loop. */
const CHUNK = 16;

/**
 * controller's slowStartBatch: runs `count` calls of `create` in batches of 1, 2, 4 … so that a
 * failing create (a quota, a webhook) costs one call rather than hundreds. Stops at the first batch
 * with an error; returns how many succeeded and that error. Yields to the event loop between
 * batches so a 500-pod burst never holds it for long.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  create: () => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (
    let batchSize = Math.min(remaining, initialBatchSize);
    batchSize > 0;
    batchSize = Math.min(2 * batchSize, remaining)
  ) {
    let error: unknown;
    // A batch is "in flight" together, but in-process calls run to completion one after another:
    // issue them in small chunks and yield between chunks so the event loop keeps turning.
    for (let issued = 0; issued < batchSize; issued += CHUNK) {
      if (issued > 0) await yieldToEventLoop();
      const size = Math.min(CHUNK, batchSize - issued);
      const results = await Promise.allSettled(Array.from({ length: size }, () => create()));
      for (const result of results) {
        if (result.status === "fulfilled") successes++;
        else if (error === undefined) error = result.reason;
      }
    }
    if (error !== undefined) return { successes, error };
    remaining -= batchSize;
    // In-process API calls complete without yielding: let other work run between batches.
    if (remaining > 0) await yieldToEventLoop();
  }
  return { successes };
}
