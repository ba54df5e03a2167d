import type { Event } from "../../api/core";
import { Events } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import type { Client } from "../../client/Client";
import { type Clock, toRfc3339 } from "../../clock/Clock";
import type { Recorder } from "./types";

/** How long a recorded event is remembered for deduplication (upstream's LRU has no TTL; we bound memory). */
const CACHE_LIMIT = 4096;

/**
 * client-go's record.EventRecorder with its EventCorrelator's deduplication: the first occurrence
 * creates a core/v1 Event named `<object>.<hex timestamp>`; an identical one (same object, type,
 * reason, message, source) patches that Event's count and lastTimestamp instead. Writes are
 * asynchronous and never fail the caller, as upstream's broadcaster does.
 */
export class EventRecorder {
  private readonly seen = new Map<string, { namespace: string; name: string; count: number; first: string }>();
  private sequence = 0;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  forComponent(component: string): Recorder {
    return { event: (object, type, reason, message) => this.record(component, object, type, reason, message) };
  }

  private record(component: string, object: KubeObject, type: string, reason: string, message: string): void {
    const namespace = object.metadata.namespace || "default";
    const involved = {
      kind: object.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      uid: object.metadata.uid,
      apiVersion: object.apiVersion,
      resourceVersion: object.metadata.resourceVersion,
    };
    const key = [
      component,
      involved.kind,
      involved.namespace,
      involved.name,
      involved.uid,
      involved.apiVersion,
      type,
      reason,
      message,
    ].join("\u0000");
    const now = toRfc3339(this.clock.now());
    const previous = this.seen.get(key);
    if (previous) {
      previous.count++;
      const count = previous.count;
      void this.client
        .patch<Event>(Events, previous.namespace, previous.name, "merge", { count, lastTimestamp: now })
        .catch(() => this.create(key, component, namespace, involved, type, reason, message, now, now, count));
      return;
    }
    void this.create(key, component, namespace, involved, type, reason, message, now, now, 1);
  }

  private async create(
    key: string,
    component: string,
    namespace: string,
    involved: Event["involvedObject"],
    type: string,
    reason: string,
    message: string,
    first: string,
    last: string,
    count: number,
  ): Promise<void> {
    const stamp = (BigInt(Math.floor(this.clock.now())) * 1_000_000n + BigInt(this.sequence++ % 1_000_000)).toString(
      16,
    );
    const name = `${involved.name}.${stamp}`;
    this.seen.set(key, { namespace, name, count, first });
    if (this.seen.size > CACHE_LIMIT) this.seen.delete(this.seen.keys().next().value as string);
    const event: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: involved,
      reason,
      message,
      source: { component },
      firstTimestamp: first,
      lastTimestamp: last,
      count,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: "",
    };
    try {
      await this.client.create(Events, event);
    } catch (error) {
      this.seen.delete(key);
      this.log(
        `event: could not record ${reason} for ${involved.kind} ${involved.namespace}/${involved.name}: ${String(error)}`,
      );
    }
  }
}
