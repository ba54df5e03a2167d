import type { Clock } from "./Clock";

/** The wall clock. The only place in the engine allowed to read Date.now() and arm real timers. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    // A pending engine timer must never keep the process alive on its own.
    handle.unref?.();
    return () => clearTimeout(handle);
  }
}
