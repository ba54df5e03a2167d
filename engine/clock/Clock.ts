/**
 * Time as the engine sees it. Nothing in `engine/` reads the wall clock or arms a timer directly:
 * every component takes a Clock, so tests run on a {@link VirtualClock} in milliseconds and an
 * idle cluster arms no timers at all.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Runs `callback` once after `delayMs` of this clock's time. Returns a disposer that cancels it.
   * Components arm a timer only when something is due; an idle cluster has none armed.
   */
  setTimer(delayMs: number, callback: () => void): () => void;
}

/** RFC 3339 with seconds precision, as Kubernetes writes metav1.Time (`2026-11-30T05:36:44Z`). */
export function toRfc3339(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** RFC 3339 with microseconds, as Kubernetes writes metav1.MicroTime (`2026-11-30T05:36:44.123456Z`). */
export function toRfc3339Micro(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}000Z`;
}
