import type { Event } from "../api/core";
import { Events } from "../api/resources";
import type { KubeObject } from "../api/types";
import type { Client } from "../client/Client";
import type { Clock } from "../clock/Clock";
import { toRfc3339, toRfc3339Micro } from "../clock/Clock";

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  /** The write in flight, if any (repeats are chained after it). */
  pending?: Promise<void>;
}

/**
 * The kubelet's event recorder: core/v1 Events with source `kubelet` on the node, aggregated like
 * client-go's correlator (a repeat of the same reason and message bumps `count` and
 * `lastTimestamp` instead of creating a new Event).
 */
export class EventRecorder {
  private readonly recorded = new Map<string, Recorded>();
  private sequence = 0;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly host: string,
    private readonly log: (line: string) => void,
  ) {}

  record(object: KubeObject, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): void {
    const namespace = object.metadata.namespace ?? "default";
    const key = `${object.metadata.uid}|${fieldPath ?? ""}|${type}|${reason}|${message}`;
    const now = this.clock.now();
    const existing = this.recorded.get(key);
    if (existing) {
      existing.count++;
      const count = existing.count;
      const patch = { count, lastTimestamp: toRfc3339(now) };
      this.settle(
        existing,
        (existing.pending ?? Promise.resolve()).then(() =>
          this.client.patch(Events, existing.namespace, existing.name, "merge", patch),
        ),
      );
      return;
    }
    const name = `${object.metadata.name}.${(now * 1000 + (this.sequence++ % 1000)).toString(16)}`;
    const event: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: { component: "kubelet", host: this.host },
      firstTimestamp: toRfc3339(now),
      lastTimestamp: toRfc3339(now),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: "kubelet",
      reportingInstance: this.host,
    } as Event;
    void toRfc3339Micro;
    const entry: Recorded = { name, namespace, count: 1 };
    this.recorded.set(key, entry);
    this.settle(
      entry,
      this.client.create(Events, event).catch((error) => this.log(`event ${reason} not recorded: ${error}`)),
    );
  }

  /**
   * Keeps `entry`'s write in flight (the next repeat patches after it) until it settles, and no
   * longer: the written Event is not kept (it is the API server's), only the aggregation key and count.
   */
  private settle(entry: Recorded, write: Promise<unknown>): void {
    const pending: Promise<void> = write.then(
      () => {
        if (entry.pending === pending) entry.pending = undefined;
      },
      () => {
        if (entry.pending === pending) entry.pending = undefined;
      },
    );
    entry.pending = pending;
  }

  /** Drops the aggregation state of a pod that is gone. */
  forget(uid: string): void {
    for (const key of this.recorded.keys()) if (key.startsWith(`${uid}|`)) this.recorded.delete(key);
  }
}
