import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/VirtualClock";
import { bucketRateLimiter, exponentialRateLimiter, runWorkers, WorkQueue } from "./workQueue";

describe("WorkQueue", () => {
  it("holds a key once however often it is added", async () => {
    const queue = new WorkQueue(new VirtualClock());
    queue.add("a");
    queue.add("a");
    queue.add("b");
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe("a");
    expect(await queue.get()).toBe("b");
  });

  it("never hands a key being processed to a second worker, and reprocesses it after done", async () => {
    const queue = new WorkQueue(new VirtualClock());
    queue.add("a");
    const first = await queue.get();
    queue.add("a");
    expect(queue.length).toBe(0);
    let second: string | undefined;
    void queue.get().then((key) => {
      second = key;
    });
    await Promise.resolve();
    expect(second).toBeUndefined();
    queue.done(first ?? "");
    await Promise.resolve();
    expect(second).toBe("a");
  });

  it("delays on the clock, keeping the earliest of several delays", async () => {
    const clock = new VirtualClock();
    const queue = new WorkQueue(clock);
    queue.addAfter("a", 1000);
    queue.addAfter("a", 200);
    queue.addAfter("a", 5000);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(199);
    expect(queue.length).toBe(0);
    await clock.advance(1);
    expect(queue.length).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it("backs off exponentially per item from 5 ms to 1000 s, and forgets", () => {
    const limiter = exponentialRateLimiter();
    expect([1, 2, 3, 4].map(() => limiter.when("a"))).toEqual([5, 10, 20, 40]);
    for (let index = 0; index < 40; index++) limiter.when("a");
    expect(limiter.when("a")).toBe(1_000_000);
    limiter.forget("a");
    expect(limiter.when("a")).toBe(5);
  });

  it("limits overall throughput to 10 qps after a burst of 100", async () => {
    const clock = new VirtualClock();
    const limiter = bucketRateLimiter(clock);
    const delays = Array.from({ length: 102 }, (_, index) => limiter.when(String(index)));
    expect(delays.slice(0, 100).every((delay) => delay === 0)).toBe(true);
    expect(delays.slice(100)).toEqual([100, 200]);
    await clock.advance(1000);
    expect(limiter.when("x")).toBe(0);
  });

  it("runs workers that retry failures with back-off and forget successes", async () => {
    const clock = new VirtualClock();
    const queue = new WorkQueue(clock);
    const attempts: string[] = [];
    let failures = 2;
    const done = runWorkers(queue, async (key) => {
      attempts.push(`${key}@${clock.now() % 100000}`);
      if (failures-- > 0) throw new Error("not yet");
    });
    queue.add("a");
    await clock.advance(100);
    expect(attempts).toHaveLength(3);
    expect(queue.numRequeues("a")).toBe(0);
    queue.shutDown();
    await done;
  });
});
