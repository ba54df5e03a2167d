import { Events } from "../api/resources";
import type { KubeObject } from "../api/types";
import { isNotFound } from "../apiserver/ApiError";
import { type Clock, toRfc3339 } from "../clock/Clock";
import type { Client } from "./Client";

/** Who reports: upstream's EventSource plus the reporting controller/instance of events.k8s.io. */
export interface EventSource {
  /** `default-scheduler`, `replicaset-controller`, `kubelet` … */
  component: string;
  /** The node a kubelet reports from. */
  host?: string;
  /** reportingInstance (`default-scheduler-controlplane`, the node name for kubelets). */
  reportingInstance?: string;
}

export type EventType = "Normal" | "Warning";

/** Records core/v1 Events about objects, as client-go's EventRecorder with its EventCorrelator. */
export interface EventRecorder {
  event(object: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
  /** Resolves once every write queued so far has been attempted (for tests). */
  flush(): Promise<void>;
}

interface SeenEvent {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

const SPAM_BURST = 25;
const SPAM_REFILL_MS = 5 * 60 * 1000;
const CACHE_SIZE = 4096;

/**
 * An EventRecorder writing through `client`. Like upstream's correlator:
 * - the same object, type, reason and message again bumps `count` and `lastTimestamp` of the
 *   existing Event with a patch instead of creating a new one;
 * - a source may emit 25 events per object in a burst, then one per five minutes (spam filter);
 * - names are `<object name>.<hex of the time in nanoseconds>`.
 * Writes are asynchronous and best-effort: a failure is dropped, as the broadcaster drops it.
 */
export function createEventRecorder(client: Client, clock: Clock, source: EventSource): EventRecorder {
  const seen = new Map<string, SeenEvent>();
  const buckets = new Map<string, { tokens: number; last: number }>();
  let pending: Promise<void> = Promise.resolve();
  let sequence = 0;

  const allowed = (key: string): boolean => {
    const now = clock.now();
    const bucket = buckets.get(key) ?? { tokens: SPAM_BURST, last: now };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + (now - bucket.last) / SPAM_REFILL_MS);
    bucket.last = now;
    // An LRU of 4096 sources, as upstream's spam filter (maxLruCacheEntries): one entry per object
    // ever reported would otherwise grow without bound.
    buckets.delete(key);
    buckets.set(key, bucket);
    if (buckets.size > CACHE_SIZE) buckets.delete(buckets.keys().next().value as string);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  const remember = (key: string, value: SeenEvent) => {
    seen.delete(key);
    seen.set(key, value);
    if (seen.size > CACHE_SIZE) seen.delete(seen.keys().next().value as string);
  };

  return {
    event(object, type, reason, message, fieldPath) {
      const involved = {
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        uid: object.metadata.uid,
        apiVersion: object.apiVersion,
        resourceVersion: object.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      };
      const objectKey = JSON.stringify([
        source.component,
        source.host ?? "",
        involved.kind,
        involved.namespace,
        involved.name,
        involved.uid,
        involved.apiVersion,
      ]);
      if (!allowed(objectKey)) return;
      const namespace = object.metadata.namespace || "default";
      const key = JSON.stringify([objectKey, type, reason, message, fieldPath ?? ""]);
      const now = toRfc3339(clock.now());
      const previous = seen.get(key);
      const write = async () => {
        if (previous) {
          try {
            await client.patch(Events, previous.namespace, previous.name, "strategic", {
              count: previous.count + 1,
              lastTimestamp: now,
              message,
            });
            remember(key, { ...previous, count: previous.count + 1 });
            return;
          } catch (error) {
            if (!isNotFound(error)) return;
          }
        }
        // Nanoseconds in hex, as upstream names events; a sequence keeps names unique within one ms.
        const nanos = BigInt(clock.now()) * 1_000_000n + BigInt(sequence++ % 1_000_000);
        const name = `${object.metadata.name}.${nanos.toString(16)}`;
        const event: KubeObject = {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name, namespace },
          involvedObject: involved,
          reason,
          message,
          source: source.host ? { component: source.component, host: source.host } : { component: source.component },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          type,
          eventTime: null,
          reportingComponent: source.component,
          reportingInstance: source.reportingInstance ?? source.host ?? "",
        };
        try {
          await client.create(Events, event);
          remember(key, { name, namespace, count: 1, firstTimestamp: now });
        } catch {
          // Dropped, as the broadcaster drops events it cannot write.
        }
      };
      pending = pending.then(write, write);
    },
    flush() {
      return pending;
    },
  };
}
