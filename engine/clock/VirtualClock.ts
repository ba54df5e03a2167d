import type { Clock } from "./Clock";

interface Timer {
  id: number;
  due: number;
  callback: () => void;
}

/**
 * A clock that only moves when a test moves it. `advance(ms)` fires every timer that falls due,
 * in order, letting promise chains settle between timers, so a test can skip five minutes of
 * back-off in a millisecond.
 */
export class VirtualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const timer: Timer = { id: this.nextId++, due: this.current + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t.id !== timer.id);
    };
  }

  /** Number of armed timers (an idle cluster should have none, or only ones that are truly due later). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling promises between them. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.timers = this.timers.filter((t) => t.id !== next.id);
      this.current = Math.max(this.current, next.due);
      next.callback();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Fires timers until none is due within `limitMs`; returns the time advanced. */
  async runUntilIdle(limitMs = 3_600_000): Promise<number> {
    const start = this.current;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due - start > limitMs) break;
      this.timers = this.timers.filter((t) => t.id !== next.id);
      this.current = Math.max(this.current, next.due);
      next.callback();
      await settle();
    }
    return this.current - start;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}

/** Lets queued microtasks and already-resolved promise chains run to completion. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
