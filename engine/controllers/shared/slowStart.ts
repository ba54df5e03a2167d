/**
 * controller's slowStartBatch: runs `count` calls of `create` in batches of 1, 2, 4 … so that a
 * failing create (a quota, a webhook) costs one call rather than hundreds. Stops at the first batch
 * with an error; returns how many succeeded and that error.
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
    const results = await Promise.allSettled(Array.from({ length: batchSize }, () => create()));
    let error: unknown;
    for (const result of results) {
      if (result.status === "fulfilled") successes++;
      else if (error === undefined) error = result.reason;
    }
    if (error !== undefined) return { successes, error };
    remaining -= batchSize;
  }
  return { successes };
}
