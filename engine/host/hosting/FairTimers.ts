import { setImmediate } from "node:timers";
import type { Clock } from "../../clock/Clock";
import { RealClock } from "../../clock/RealClock";

/**
 * The wall clock for many clusters in one process, with their timers taken in turns. A cluster's
 * timer that is due does not run in Node's timers phase (where every due timer of every cluster
 * would run back to back before the process reads its sockets again); it joins its cluster's queue,
 * and the queues are served round-robin, one callback (with the promise work it sets off) per turn
 * of the event loop. Between two callbacks the process reads its sockets, so a request to a quiet
 * cluster waits for at most one callback of a busy one, and a cluster with many due timers cannot
 * hold the others' timers back.
 *
 * New connections come first: Node (libuv 1.46) accepts one connection from a listening socket per
 * turn of the event loop, so with every turn busy a burst of new connections (each kubectl command
 * opens one) waited in the kernel's listen queue for seconds while requests on open connections
 * were answered in milliseconds. After {@link preferSockets} the next turns run no callback, so the
 * loop turns quickly and accepts the waiting connections, for at most `maxDeferredTurns` in a row.
 */
export class FairTimers {
  private readonly queues = new Map<string, Array<() => void>>();
  private readonly pending = new Map<string, Set<() => void>>();
  private scheduled = false;
  private readonly wall = new RealClock();
  /** The next turn runs no callback (see preferSockets). */
  private deferNext = false;
  /** Turns without a callback in a row now. */
  private deferredInARow = 0;
  private deferredTurns = 0;

  constructor(
    private readonly onError: (cluster: string, error: unknown) => void = () => {},
    private readonly maxDeferredTurns = 32,
  ) {}

  /**
   * The clock for cluster `cluster`: wall time, timers served in turns with the other clusters'.
   * After {@link dispose} its pending timers are gone and new ones never fire.
   */
  clockFor(cluster: string): Clock {
    const wall = this.wall;
    let pending = this.pending.get(cluster);
    if (!pending) {
      pending = new Set();
      this.pending.set(cluster, pending);
    }
    const timers = pending;
    return {
      now: () => wall.now(),
      setTimer: (delayMs, callback) => {
        if (this.pending.get(cluster) !== timers) return () => {};
        let cancelled = false;
        const cancel = () => {
          cancelled = true;
          cancelWall();
          timers.delete(cancel);
        };
        const cancelWall = wall.setTimer(delayMs, () => {
          if (cancelled) return;
          this.enqueue(cluster, () => {
            timers.delete(cancel);
            if (!cancelled) callback();
          });
        });
        timers.add(cancel);
        return cancel;
      },
    };
  }

  /** Timers of `cluster` armed and not yet run (tests; an idle cluster has only its idle timer). */
  pendingOf(cluster: string): number {
    return this.pending.get(cluster)?.size ?? 0;
  }

  /**
   * Cancels every timer of `cluster`, due or not, and makes its clock inert: a stopped cluster's
   * leftover work can never wake it again.
   */
  dispose(cluster: string): void {
    const timers = this.pending.get(cluster);
    this.pending.delete(cluster);
    this.queues.delete(cluster);
    for (const cancel of [...(timers ?? [])]) cancel();
  }

  /**
   * The next turn of the event loop runs no timer callback: a connection was just accepted (its
   * first request arrived) and more may wait in the listen queue, of which Node takes one per turn.
   * At most `maxDeferredTurns` turns in a row go without a callback, then one runs (a flood of
   * connections slows the clusters' work down but does not stop it).
   */
  preferSockets(): void {
    this.deferNext = true;
  }

  /** Turns that ran no callback because of {@link preferSockets} (tests, the bench). */
  get deferred(): number {
    return this.deferredTurns;
  }

  /** Callbacks waiting for their turn (all clusters). */
  get waiting(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  private enqueue(cluster: string, run: () => unknown): void {
    let queue = this.queues.get(cluster);
    if (!queue) {
      queue = [];
      this.queues.set(cluster, queue);
    }
    queue.push(run);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase: sockets are read between two turns.
    setImmediate(() => this.turn());
  }

  /** Runs the next callback of the next cluster in line (a Map keeps insertion order: round-robin). */
  private turn(): void {
    this.scheduled = false;
    if (this.deferNext) {
      this.deferNext = false;
      if (this.deferredInARow < this.maxDeferredTurns) {
        this.deferredInARow++;
        this.deferredTurns++;
        if (this.queues.size > 0) this.schedule();
        return;
      }
    }
    this.deferredInARow = 0;
    const next = this.queues.entries().next();
    if (next.done) return;
    const [cluster, queue] = next.value;
    const run = queue.shift();
    // Re-inserting moves the cluster to the back of the line.
    this.queues.delete(cluster);
    if (queue.length > 0) this.queues.set(cluster, queue);
    if (this.queues.size > 0) this.schedule();
    try {
      run?.();
    } catch (error) {
      this.onError(cluster, error);
    }
  }
}
