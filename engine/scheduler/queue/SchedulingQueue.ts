import type { Clock } from "../../clock/Clock";
import type { PodInfo } from "../framework/PodInfo";
import type { ClusterEvent, QueuedPodInfo } from "../framework/types";
import { Heap } from "./Heap";

/** Upstream defaults: podInitialBackoffDuration, podMaxBackoffDuration, podMaxInUnschedulablePodsDuration. */
export const initialBackoffMs = 1_000;
export const maxBackoffMs = 10_000;
export const maxInUnschedulablePodsMs = 5 * 60_000;

export interface QueueOptions {
  clock: Clock;
  /** QueueSort (PrioritySort). */
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
  /** PreEnqueue (SchedulingGates): false keeps the pod out of activeQ. */
  admit(info: PodInfo): boolean;
  /** The cluster events each plugin registered; a pod moves when an event matches one of its rejectors. */
  pluginEvents: Map<string, ClusterEvent[]>;
}

/**
 * The scheduling queue (`internal/queue.PriorityQueue`): activeQ ordered by PrioritySort,
 * backoffQ ordered by back-off expiry (1 s doubling to 10 s per attempt), and the unschedulable
 * pool that only cluster events move — a node added, a pod deleted, a claim bound — never
 * polling. Pods left unschedulable for 5 minutes are retried anyway, on a clock timer armed only
 * while the pool holds pods. Gated pods (scheduling gates) wait until an update lifts the gates.
 */
export class SchedulingQueue {
  private readonly active: Heap<QueuedPodInfo>;
  private readonly backoff: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly gated = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done: events during their cycle send them to backoff, not the pool. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private waiters: Array<(pod: QueuedPodInfo | undefined) => void> = [];
  private cancelBackoffTimer?: () => void;
  private backoffTimerDue = Number.POSITIVE_INFINITY;
  private cancelFlushTimer?: () => void;
  private closed = false;
  /** Incremented on every pop. */
  schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(private readonly options: QueueOptions) {
    this.active = new Heap((p) => p.info.uid, options.less);
    this.backoff = new Heap(
      (p) => p.info.uid,
      (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
    );
  }

  /** A new pending pod. */
  add(info: PodInfo) {
    const now = this.options.clock.now();
    const queued: QueuedPodInfo = {
      info,
      initialAttemptTimestamp: now,
      timestamp: now,
      attempts: 0,
      unschedulablePlugins: new Set(),
      cycle: 0,
      gated: false,
    };
    this.delete(info.uid);
    this.moveToActive(queued);
  }

  /** The pod object changed. Pods waiting for events retry when their spec or labels change. */
  update(info: PodInfo, specChanged: boolean) {
    const uid = info.uid;
    const activeEntry = this.active.get(uid);
    if (activeEntry) {
      activeEntry.info = info;
      this.active.push(activeEntry);
      return;
    }
    const backoffEntry = this.backoff.get(uid);
    if (backoffEntry) {
      backoffEntry.info = info;
      this.backoff.push(backoffEntry);
      return;
    }
    const inFlight = this.inFlight.get(uid);
    if (inFlight) {
      inFlight.info = info;
      return;
    }
    const waiting = this.unschedulable.get(uid) ?? this.gated.get(uid);
    if (waiting) {
      waiting.info = info;
      if (!specChanged) return;
      this.unschedulable.delete(uid);
      this.gated.delete(uid);
      if (this.isBackingOff(waiting)) this.backoff.push(waiting);
      else this.moveToActive(waiting);
      this.armTimers();
      return;
    }
    this.add(info);
  }

  delete(uid: string) {
    this.active.delete(uid);
    this.backoff.delete(uid);
    this.unschedulable.delete(uid);
    this.gated.delete(uid);
    this.inFlight.delete(uid);
    this.armTimers();
  }

  /** The next pod to schedule; waits while activeQ is empty. Resolves undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    const next = this.active.pop();
    if (next) return Promise.resolve(this.started(next));
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Pops synchronously (undefined when activeQ is empty). */
  tryPop(): QueuedPodInfo | undefined {
    const next = this.active.pop();
    return next ? this.started(next) : undefined;
  }

  private started(pod: QueuedPodInfo): QueuedPodInfo {
    this.schedulingCycle++;
    pod.cycle = this.schedulingCycle;
    pod.attempts++;
    this.inFlight.set(pod.info.uid, pod);
    return pod;
  }

  /** The pod's scheduling attempt is over (bound, or requeued by the calls below). */
  done(uid: string) {
    this.inFlight.delete(uid);
  }

  /**
   * A failed attempt. Rejected by plugins: to the unschedulable pool, unless a cluster event
   * arrived during the attempt (then to backoff, as the event may have fixed it). An error (no
   * rejecting plugin): to backoff.
   */
  requeueAfterFailure(pod: QueuedPodInfo, unschedulablePlugins: Set<string>) {
    const uid = pod.info.uid;
    if (!this.inFlight.has(uid)) return; // deleted meanwhile
    this.inFlight.delete(uid);
    pod.unschedulablePlugins = unschedulablePlugins;
    pod.timestamp = this.options.clock.now();
    if (unschedulablePlugins.size === 0 || this.moveRequestCycle >= pod.cycle) {
      this.backoff.push(pod);
    } else {
      this.unschedulable.set(uid, pod);
    }
    this.armTimers();
  }

  /** A cluster event: move the unschedulable pods it may help to activeQ (or backoffQ if still backing off). */
  onEvent(event: ClusterEvent) {
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.size === 0) return;
    for (const [uid, pod] of this.unschedulable) {
      if (!this.eventMayHelp(pod, event)) continue;
      this.unschedulable.delete(uid);
      if (this.isBackingOff(pod)) this.backoff.push(pod);
      else this.moveToActive(pod);
    }
    this.armTimers();
  }

  private eventMayHelp(pod: QueuedPodInfo, event: ClusterEvent): boolean {
    if (pod.unschedulablePlugins.size === 0) return true;
    for (const plugin of pod.unschedulablePlugins) {
      const events = this.options.pluginEvents.get(plugin);
      if (!events) return true;
      for (const registered of events) {
        if (registered.action !== event.action) continue;
        if (registered.resource === event.resource) return true;
        if (registered.resource === "AssignedPod" && event.resource === "Pod") return true;
      }
    }
    return false;
  }

  private moveToActive(pod: QueuedPodInfo) {
    if (!this.options.admit(pod.info)) {
      pod.gated = true;
      this.gated.set(pod.info.uid, pod);
      return;
    }
    pod.gated = false;
    pod.timestamp = this.options.clock.now();
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.started(pod));
    else this.active.push(pod);
  }

  private backoffDuration(pod: QueuedPodInfo): number {
    // A pod that has never been tried (a gated pod, say) is not backing off.
    if (pod.attempts === 0) return 0;
    let duration = initialBackoffMs;
    for (let i = 1; i < pod.attempts; i++) {
      duration *= 2;
      if (duration >= maxBackoffMs) return maxBackoffMs;
    }
    return duration;
  }

  private backoffExpiry(pod: QueuedPodInfo): number {
    return pod.timestamp + this.backoffDuration(pod);
  }

  private isBackingOff(pod: QueuedPodInfo): boolean {
    return this.backoffExpiry(pod) > this.options.clock.now();
  }

  /** Arms (only) the timers something is waiting for: the earliest back-off expiry, the 5-minute flush. */
  private armTimers() {
    if (this.closed) return;
    const head = this.backoff.peek();
    const due = head ? this.backoffExpiry(head) : Number.POSITIVE_INFINITY;
    if (due !== this.backoffTimerDue) {
      this.cancelBackoffTimer?.();
      this.cancelBackoffTimer = undefined;
      this.backoffTimerDue = due;
      if (Number.isFinite(due)) {
        this.cancelBackoffTimer = this.options.clock.setTimer(Math.max(0, due - this.options.clock.now()), () => {
          this.cancelBackoffTimer = undefined;
          this.backoffTimerDue = Number.POSITIVE_INFINITY;
          this.flushBackoff();
        });
      }
    }
    if (this.unschedulable.size > 0 && !this.cancelFlushTimer) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const pod of this.unschedulable.values()) oldest = Math.min(oldest, pod.timestamp);
      const delay = Math.max(0, oldest + maxInUnschedulablePodsMs - this.options.clock.now());
      this.cancelFlushTimer = this.options.clock.setTimer(delay, () => {
        this.cancelFlushTimer = undefined;
        this.flushUnschedulable();
      });
    } else if (this.unschedulable.size === 0 && this.cancelFlushTimer) {
      this.cancelFlushTimer();
      this.cancelFlushTimer = undefined;
    }
  }

  private flushBackoff() {
    const now = this.options.clock.now();
    for (;;) {
      const head = this.backoff.peek();
      if (!head || this.backoffExpiry(head) > now) break;
      this.backoff.pop();
      this.moveToActive(head);
    }
    this.armTimers();
  }

  private flushUnschedulable() {
    const now = this.options.clock.now();
    for (const [uid, pod] of this.unschedulable) {
      if (now - pod.timestamp < maxInUnschedulablePodsMs) continue;
      this.unschedulable.delete(uid);
      if (this.isBackingOff(pod)) this.backoff.push(pod);
      else this.moveToActive(pod);
    }
    this.armTimers();
  }

  /** Counts per pool, for tests and the explain output. */
  stats() {
    return {
      active: this.active.size,
      backoff: this.backoff.size,
      unschedulable: this.unschedulable.size,
      gated: this.gated.size,
      inFlight: this.inFlight.size,
    };
  }

  /** Where a pod waits: "active" | "backoff" | "unschedulable" | "gated" | "inFlight" | undefined. */
  whereIs(uid: string): string | undefined {
    if (this.active.has(uid)) return "active";
    if (this.backoff.has(uid)) return "backoff";
    if (this.unschedulable.has(uid)) return "unschedulable";
    if (this.gated.has(uid)) return "gated";
    if (this.inFlight.has(uid)) return "inFlight";
    return undefined;
  }

  close() {
    this.closed = true;
    this.cancelBackoffTimer?.();
    this.cancelFlushTimer?.();
    for (const waiter of this.waiters) waiter(undefined);
    this.waiters = [];
  }
}
