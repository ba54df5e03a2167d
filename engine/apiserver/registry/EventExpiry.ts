import type { KubeObject } from "../../api/types";
import type { KeyValueStore } from "../../store/KeyValueStore";

/** kube-apiserver's default --event-ttl. */
export const EVENT_TTL_MS = 60 * 60 * 1000;

interface Expiry {
  key: string;
  modRevision: number;
  expires: number;
}

/**
 * Events live for an hour after their last write (upstream attaches an etcd lease of --event-ttl
 * to every create and update of an Event). With no timers, each event write sweeps the writes
 * that expired before it, from a queue kept in write order, so a write costs O(1) amortized
 * however many events the store holds. A queued write that a later write of the same key
 * superseded (another modRevision) is skipped; the later one expires it. Events already in the
 * store when the first write comes (a restored snapshot) are queued then, from their timestamps.
 */
export class EventExpiry {
  private queue: Expiry[] = [];
  private head = 0;
  private seeded = false;

  constructor(
    private readonly store: KeyValueStore,
    private readonly prefix = "/registry/events/",
  ) {}

  /** Records an event write at `now` and deletes the events whose last write is older than the TTL. */
  written(key: string, modRevision: number, now: number): void {
    if (!this.seeded) this.seed(key);
    this.queue.push({ key, modRevision, expires: now + EVENT_TTL_MS });
    this.sweep(now);
  }

  private sweep(now: number): void {
    while (this.head < this.queue.length && this.queue[this.head].expires < now) {
      const { key, modRevision } = this.queue[this.head++];
      const current = this.store.get(key);
      if (current && current.modRevision === modRevision) {
        this.store.txn({
          compare: [{ key, target: "modRevision", result: "=", value: modRevision }],
          success: [{ type: "delete", key }],
        });
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private seed(except: string): void {
    this.seeded = true;
    const existing: Expiry[] = [];
    for (const kv of this.store.range(this.prefix, { prefix: true }).kvs) {
      if (kv.key === except) continue;
      let last: number;
      try {
        const event = JSON.parse(kv.value) as KubeObject;
        last = Date.parse(event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? "");
      } catch {
        continue;
      }
      if (Number.isFinite(last))
        existing.push({ key: kv.key, modRevision: kv.modRevision, expires: last + EVENT_TTL_MS });
    }
    existing.sort((a, b) => a.expires - b.expires);
    this.queue = existing;
    this.head = 0;
  }
}
