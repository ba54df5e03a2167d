import type { Clock } from "../../clock/Clock";

/** upstream's cacher sends a bookmark to each watcher that allows them about once a minute. */
export const BOOKMARK_FREQUENCY_MS = 60_000;
/** … and one 2 s before the watch's deadline, so the client resumes from as recent a revision as possible. */
export const PRE_TIMEOUT_MS = 2_000;

interface Entry {
  deadline: number;
  due: number;
  send: () => void;
}

/**
 * Periodic watch bookmarks on the injected clock, as upstream's cacher schedules them
 * (`cacheWatcher.nextBookmarkTime`): every {@link BOOKMARK_FREQUENCY_MS} and {@link PRE_TIMEOUT_MS}
 * before the watch's deadline, none after that. One timer serves every watcher of an API server
 * and is armed only while some watch is waiting for a bookmark, so an API server without such
 * watches arms nothing.
 *
 * Only watches with a deadline are scheduled. Upstream gives every watch one (the client's
 * timeoutSeconds or the server's default), and every HTTP watch here has one; the engine's own
 * in-process informers watch without a deadline, never miss an event and never resume, so they
 * get only the initial-events-end bookmark, and an idle cluster arms no timer for them.
 */
export class WatchBookmarks {
  private readonly entries = new Set<Entry>();
  private cancelTimer: (() => void) | undefined;
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  /** Schedules bookmarks for a watch ending at `deadline` (clock ms); returns a disposer. */
  add(deadline: number, send: () => void): () => void {
    const entry: Entry = { deadline, due: 0, send };
    const due = nextBookmarkTime(this.clock.now(), deadline);
    if (due === undefined) return () => {};
    entry.due = due;
    this.entries.add(entry);
    this.arm();
    return () => {
      this.entries.delete(entry);
      if (this.entries.size === 0) this.disarm();
    };
  }

  /** Watches waiting for a bookmark (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private arm(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.entries) if (entry.due < earliest) earliest = entry.due;
    if (earliest === Number.POSITIVE_INFINITY) {
      this.disarm();
      return;
    }
    if (this.cancelTimer && this.armedAt <= earliest) return;
    this.disarm();
    this.armedAt = earliest;
    this.cancelTimer = this.clock.setTimer(Math.max(0, earliest - this.clock.now()), () => this.fire());
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.cancelTimer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (const entry of [...this.entries]) {
      if (entry.due > now || !this.entries.has(entry)) continue;
      const next = nextBookmarkTime(now, entry.deadline);
      if (next === undefined) this.entries.delete(entry);
      else entry.due = next;
      entry.send();
    }
    this.arm();
  }
}

/**
 * When a watch ending at `deadline` gets its next bookmark after `now`, or undefined for never
 * (the pre-timeout one is sent once; upstream's one-second buckets may repeat it).
 */
export function nextBookmarkTime(now: number, deadline: number): number | undefined {
  let heartbeat = now + BOOKMARK_FREQUENCY_MS;
  const preTimeout = deadline - PRE_TIMEOUT_MS;
  if (preTimeout < heartbeat) heartbeat = preTimeout;
  return heartbeat <= now ? undefined : heartbeat;
}
