import type { Clock } from "../../clock/Clock";
import type { WorkQueue } from "./types";

/** client-go's default controller rate limiter: 5 ms doubling per failure, capped at 1000 s. */
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 1_000_000;
/** Keys processed before the worker yields to the event loop, so a big backlog never blocks it. */
const KEYS_PER_TURN = 64;

/** Lets other tasks (HTTP requests, other clusters) run between batches of work. */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise<void>((resolve) => (immediate ? immediate(resolve) : queueMicrotask(resolve)));
}

/**
 * A de-duplicating, rate-limited work queue with its worker, as client-go's
 * workqueue.TypedRateLimitingInterface plus a `processNextWorkItem` loop: a key added while it is
 * being processed is processed again afterwards, never concurrently; delayed adds arm one clock
 * timer per key; failures retry with per-key exponential back-off.
 */
export class ControllerQueue implements WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { due: number; cancel: () => void }>();
  private running = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly clock: Clock,
    private readonly sync: (key: string) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.kick();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const due = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.due <= due) return;
    existing?.cancel();
    const cancel = this.clock.setTimer(delayMs, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { due, cancel });
  }

  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.addAfter(key, Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** failures));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Number of keys waiting (not counting delayed ones). */
  get length(): number {
    return this.queue.length;
  }

  /** Whether keys are queued or being processed (delayed keys do not count). */
  get busy(): boolean {
    return this.queue.length > 0 || this.processing.size > 0;
  }

  /** Whether nothing is queued, running or delayed. */
  get idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0 && this.delayed.size === 0;
  }

  stop(): void {
    this.stopped = true;
    for (const { cancel } of this.delayed.values()) cancel();
    this.delayed.clear();
    this.queue.length = 0;
    this.queued.clear();
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    // Start on a microtask so handlers that enqueue many keys finish first.
    queueMicrotask(() => void this.work());
  }

  private async work(): Promise<void> {
    try {
      let turn = 0;
      while (!this.stopped && this.queue.length > 0) {
        const key = this.queue.shift() as string;
        this.queued.delete(key);
        this.processing.add(key);
        try {
          await this.sync(key);
          this.forget(key);
        } catch (error) {
          this.log(`${this.name}: error syncing "${key}": ${error instanceof Error ? error.message : String(error)}`);
          this.addRateLimited(key);
        } finally {
          this.processing.delete(key);
          if (this.dirty.delete(key)) this.add(key);
        }
        if (++turn % KEYS_PER_TURN === 0) await yieldToEventLoop();
      }
    } finally {
      this.running = false;
      if (!this.stopped && this.queue.length > 0) this.kick();
    }
  }
}
