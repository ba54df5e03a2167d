import type { Event } from "../../api/core";
import { Events } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import type { Client } from "../../client/Client";
import type { Clock } from "../../clock/Clock";
import { toRfc3339, toRfc3339Micro } from "../../clock/Clock";

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  first: number;
}

/**
 * Writes events as the scheduler's events.k8s.io/v1 recorder does, seen through core/v1:
 * `reportingComponent` default-scheduler (kubectl's FROM column), an `eventTime`, and repeats of
 * the same event on the same object folded into one with a growing count and series.
 */
export class EventWriter {
  private readonly recorded = new Map<string, Recorded>();
  private sequence = 0;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly component: string,
    private readonly instance: string,
    private readonly log: (line: string) => void,
  ) {}

  write(regarding: KubeObject, type: "Normal" | "Warning", reason: string, action: string, note: string) {
    void this.writeAsync(regarding, type, reason, action, note);
  }

  async writeAsync(regarding: KubeObject, type: "Normal" | "Warning", reason: string, action: string, note: string) {
    const namespace = regarding.metadata.namespace ?? "default";
    const key = `${regarding.metadata.uid}\u0000${reason}\u0000${note}`;
    const now = this.clock.now();
    const previous = this.recorded.get(key);
    try {
      if (previous) {
        previous.count++;
        await this.client.patch(Events, previous.namespace, previous.name, "merge", {
          count: previous.count,
          lastTimestamp: toRfc3339(now),
          series: { count: previous.count, lastObservedTime: toRfc3339Micro(now) },
        });
        return;
      }
    } catch {
      // The event was removed (TTL); write a fresh one.
      this.recorded.delete(key);
    }
    const name = `${regarding.metadata.name}.${this.suffix(now)}`;
    const event: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        namespace,
        name: regarding.metadata.name,
        uid: regarding.metadata.uid,
        resourceVersion: regarding.metadata.resourceVersion,
      },
      reason,
      message: note,
      type,
      source: { component: this.component },
      firstTimestamp: toRfc3339(now),
      lastTimestamp: toRfc3339(now),
      count: 1,
      eventTime: toRfc3339Micro(now),
      action,
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
    try {
      await this.client.create(Events, event);
      if (this.recorded.size > 10_000) this.recorded.clear();
      this.recorded.set(key, { name, namespace, count: 1, first: now });
    } catch (error) {
      this.log(`could not record event ${reason} for ${namespace}/${regarding.metadata.name}: ${error}`);
    }
  }

  /** A unique suffix like client-go's `%x` of the timestamp in nanoseconds. */
  private suffix(now: number): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return (BigInt(now) * 1_000_000n + BigInt(this.sequence)).toString(16);
  }
}
