/**
 * Lets other tasks (HTTP requests, other clusters' work) run before continuing. In-process API
 * calls complete without ever yielding, so long bursts of them must. Not a timer: nothing is
 * scheduled on the clock and an idle cluster arms nothing.
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise<void>((resolve) => (immediate ? immediate(resolve) : queueMicrotask(resolve)));
}
