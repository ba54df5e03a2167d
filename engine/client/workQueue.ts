import type { Clock } from "../clock/Clock";

/**
 * How long to wait before retrying an item, as client-go's `workqueue.TypedRateLimiter`.
 */
export interface RateLimiter {
  /** The delay before `key` may be processed again; each call counts as one more failure. */
  when(key: string): number;
  /** Forgets `key`'s failures after a successful sync. */
  forget(key: string): void;
  /** How many times `key` has been retried since it was last forgotten. */
  retries(key: string): number;
}

/** Per-item exponential back-off: base·2^failures, capped (client-go `ItemExponentialFailureRateLimiter`). */
export function exponentialRateLimiter(baseMs = 5, maxMs = 1_000_000): RateLimiter {
  const failures = new Map<string, number>();
  return {
    when(key) {
      const count = failures.get(key) ?? 0;
      failures.set(key, count + 1);
      return Math.min(maxMs, baseMs * 2 ** count);
    },
    forget: (key) => {
      failures.delete(key);
    },
    retries: (key) => failures.get(key) ?? 0,
  };
}

/**
 * An overall token bucket (client-go `BucketRateLimiter`: `rate.NewLimiter(10, 100)`): bursts of
 * `burst` go at once, then one every 1/qps seconds, measured on the clock.
 */
export function bucketRateLimiter(clock: Clock, qps = 10, burst = 100): RateLimiter {
  let tokens = burst;
  let last = clock.now();
  const interval = 1000 / qps;
  return {
    when() {
      const now = clock.now();
      tokens = Math.min(burst, tokens + (now - last) / interval);
      last = now;
      tokens -= 1;
      // A negative balance is a reservation: wait until it is paid back.
      return tokens >= 0 ? 0 : Math.ceil(-tokens * interval);
    },
    forget() {},
    retries: () => 0,
  };
}

/** The worst of several limiters (client-go `MaxOfRateLimiter`). */
export function maxOfRateLimiters(...limiters: RateLimiter[]): RateLimiter {
  return {
    when: (key) => Math.max(...limiters.map((limiter) => limiter.when(key))),
    forget: (key) => {
      for (const limiter of limiters) limiter.forget(key);
    },
    retries: (key) => Math.max(...limiters.map((limiter) => limiter.retries(key))),
  };
}

/** client-go's `DefaultControllerRateLimiter`: 5 ms…1000 s per item, and 10 qps / 100 burst overall. */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return maxOfRateLimiters(exponentialRateLimiter(5, 1_000_000), bucketRateLimiter(clock, 10, 100));
}

/**
 * A rate-limited work queue of string keys with client-go's guarantees: a key waiting in the
 * queue is held once however often it is added (dirty set); a key being processed is never
 * handed to a second worker (processing set) — if it is added meanwhile, it is processed again
 * after `done`. Delays run on the Clock, and a queue with nothing delayed arms no timer.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting: Array<(key: string | undefined) => void> = [];
  private readonly delayed = new Map<string, { due: number; cancel: () => void }>();
  private shuttingDown = false;

  constructor(
    private readonly clock: Clock,
    private readonly rateLimiter: RateLimiter = defaultControllerRateLimiter(clock),
    readonly name = "",
  ) {}

  /** Marks `key` as needing processing. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiting.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds `key` after `delayMs`; of several pending delays for one key, the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const due = this.clock.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.due <= due) return;
    pending?.cancel();
    const cancel = this.clock.setTimer(delayMs, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { due, cancel });
  }

  /** Re-adds `key` after its rate-limited back-off. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Clears `key`'s back-off history (after a successful sync). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** How many times `key` was re-added with back-off since it was last forgotten. */
  numRequeues(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /**
   * The next key to process; resolves when one is available, or with undefined once the queue
   * shuts down. The caller must call `done(key)` when finished.
   */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Marks `key` as processed; if it was added meanwhile, it goes back into the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      const waiter = this.waiting.shift();
      if (waiter) {
        this.dirty.delete(key);
        this.processing.add(key);
        waiter(key);
      } else {
        this.queue.push(key);
      }
    }
  }

  /** Keys waiting (not counting those being processed or delayed). */
  get length(): number {
    return this.queue.length;
  }

  /** True when nothing is queued, processing or delayed. */
  get idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0 && this.delayed.size === 0;
  }

  /** Stops the queue: cancels delayed adds and releases waiting workers. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const pending of this.delayed.values()) pending.cancel();
    this.delayed.clear();
    for (const waiter of this.waiting.splice(0)) waiter(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}

/**
 * Runs `workers` loops over `queue`: each takes a key, awaits `sync(key)`, forgets the key on
 * success and re-adds it rate-limited on failure (`onError` hears about it), as a controller's
 * `processNextWorkItem` does. Returns a promise that settles when the queue shuts down.
 */
export function runWorkers(
  queue: WorkQueue,
  sync: (key: string) => Promise<void>,
  options: { workers?: number; onError?: (key: string, error: unknown) => void } = {},
): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (error) {
        options.onError?.(key, error);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: options.workers ?? 1 }, worker)).then(() => undefined);
}
