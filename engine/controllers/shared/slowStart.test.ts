import { describe, expect, it } from "vitest";
import { SLOW_START_CHUNK, slowStartBatch } from "./slowStart";

/** Runs slowStartBatch with fakes and returns the calls made between two yields, in order. */
async function run(count: number, failAt?: number) {
  const turns: number[] = [0];
  let calls = 0;
  const result = await slowStartBatch(
    count,
    1,
    async () => {
      calls++;
      turns[turns.length - 1]++;
      if (calls === failAt) throw new Error(`call ${calls} failed`);
    },
    async () => {
      turns.push(0);
    },
  );
  return { ...result, calls, turns: turns.filter((n, i) => n > 0 || i > 0) };
}

describe("slowStartBatch", () => {
  const cases: Array<{ name: string; count: number; failAt?: number; turns: number[]; successes: number }> = [
    { name: "nothing to do", count: 0, turns: [], successes: 0 },
    { name: "one call, no yield", count: 1, turns: [1], successes: 1 },
    { name: "batches of 1, 2, 4, then the rest", count: 10, turns: [1, 2, 4, 3], successes: 10 },
    {
      name: "a batch larger than a chunk is issued a chunk at a time",
      count: 40,
      // batches 1, 2, 4, 8, 16 (two chunks), 9 (two chunks)
      turns: [1, 2, 4, 8, 8, 8, 8, 1],
      successes: 40,
    },
    {
      name: "a failure ends the run after its batch (the 4-batch is never started)",
      count: 10,
      failAt: 2,
      turns: [1, 2],
      successes: 2,
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const result = await run(testCase.count, testCase.failAt);
      expect(result.turns).toEqual(testCase.turns);
      expect(result.successes).toBe(testCase.successes);
      expect(result.error !== undefined).toBe(testCase.failAt !== undefined);
    });
  }

  it("never issues more than a chunk of calls in one turn of a 500-pod burst", async () => {
    const result = await run(500);
    expect(result.successes).toBe(500);
    expect(Math.max(...result.turns)).toBe(SLOW_START_CHUNK);
    expect(result.turns.slice(0, 4)).toEqual([1, 2, 4, 8]);
  });
});
