/**
 * pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go and the token bucket of
 * client-go's flowcontrol (golang.org/x/time/rate) it uses, on explicit times instead of a clock:
 * the controller asks when the next item can go and arms one timer for it.
 */

/** EvictionRateLimiterBurst. */
export const EVICTION_RATE_LIMITER_BURST = 1;

/** Tokens compared with this slack: refills are added up in floating point. */
const EPSILON = 1e-9;

/**
 * flowcontrol.NewTokenBucketRateLimiter(qps, burst): full at first, `qps` tokens a second up to
 * `burst`. A qps of 0 is flowcontrol.NewFakeNeverRateLimiter: it never accepts.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    now: number,
  ) {
    this.tokens = qps > 0 ? burst : 0;
    this.last = now;
  }

  private advance(now: number): void {
    if (this.qps <= 0) return;
    if (now > this.last) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = Math.max(this.last, now);
  }

  /** TryAccept: takes a token if there is one. */
  tryAccept(now: number): boolean {
    if (this.qps <= 0) return false;
    this.advance(now);
    if (this.tokens < 1 - EPSILON) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /** When the next token is there (ms), or undefined for a limiter that never accepts. */
  readyAt(now: number): number | undefined {
    if (this.qps <= 0) return undefined;
    this.advance(now);
    if (this.tokens >= 1 - EPSILON) return now;
    return now + Math.ceil(((1 - this.tokens) / this.qps) * 1000 - EPSILON);
  }
}

export interface TimedValue {
  value: string;
  uid: string;
  addedAt: number;
  processAt: number;
}

/**
 * RateLimitedTimedQueue: a unique queue ordered by processAt (ties in the order added), whose
 * values stay in its set after they are processed (RemoveFromQueue) so that they are not added
 * again until Remove is called, gated by a swappable TokenBucket.
 */
export class RateLimitedTimedQueue {
  private queue: TimedValue[] = [];
  private readonly set = new Set<string>();
  limiter: TokenBucket;

  constructor(qps: number, now: number) {
    this.limiter = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, now);
  }

  get length(): number {
    return this.queue.length;
  }

  has(value: string): boolean {
    return this.set.has(value);
  }

  head(): TimedValue | undefined {
    return this.queue[0];
  }

  values(): string[] {
    return this.queue.map((item) => item.value);
  }

  /** Add: false when the value is already in the set (queued, or processed and not removed). */
  add(value: string, uid: string, now: number): boolean {
    if (this.set.has(value)) return false;
    this.set.add(value);
    this.insert({ value, uid, addedAt: now, processAt: now });
    return true;
  }

  /** Remove: out of the queue and the set, so it may be added again. */
  remove(value: string): boolean {
    if (!this.set.delete(value)) return false;
    this.queue = this.queue.filter((item) => item.value !== value);
    return true;
  }

  /** RemoveFromQueue: done with it, but kept in the set. */
  removeFromQueue(value: string): void {
    this.queue = this.queue.filter((item) => item.value !== value);
  }

  /** Replace: the value again at a later processAt (a retry). */
  replace(item: TimedValue): void {
    this.queue = this.queue.filter((entry) => entry.value !== item.value);
    this.insert(item);
  }

  /**
   * SwapLimiter: a new bucket when the rate changes (0 never accepts). When the old bucket had no
   * token, the new one starts empty too ("we drain the new one").
   */
  swapLimiter(qps: number, now: number): void {
    if (this.limiter.qps === qps) return;
    const next = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, now);
    if (qps > 0 && !this.limiter.tryAccept(now)) next.tryAccept(now);
    this.limiter = next;
  }

  /** When Try could next act (a token and a due head), or undefined if it cannot. */
  nextDue(now: number): number | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    const token = this.limiter.readyAt(now);
    if (token === undefined) return undefined;
    return Math.max(token, head.processAt);
  }

  private insert(item: TimedValue): void {
    let index = this.queue.length;
    while (index > 0 && (this.queue[index - 1]?.processAt ?? 0) > item.processAt) index--;
    this.queue.splice(index, 0, item);
  }
}
