import type { ObjectReference } from "../api/core";
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
  /** reportingInstance; upstream sets it to the source's host (`controlplane`, the node name). */
  reportingInstance?: string;
}

export type EventType = "Normal" | "Warning";

/** Records core/v1 Events about objects, as client-go's EventRecorder with its EventCorrelator. */
export interface EventRecorder {
  event(object: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
  /**
   * Drops what the correlator remembers about the object with this uid (a kubelet's pod that is
   * gone). Upstream keeps it until the LRU pushes it out; a uid never comes back, so nothing a
   * client sees changes, only the memory is given back sooner.
   */
  forget(uid: string): void;
  /** Resolves once every write queued so far has been attempted (for tests). */
  flush(): Promise<void>;
}

/** client-go tools/record/events_cache.go defaults. */
export const CORRELATOR_DEFAULTS = {
  /** maxLruCacheEntries, for each of the three caches. */
  cacheSize: 4096,
  /** defaultSpamBurst: events a source may send about one object at once. */
  spamBurst: 25,
  /** defaultSpamQPS = 1/300: one more token every five minutes. */
  spamRefillMs: 300_000,
  /** defaultAggregateMaxEvents: similar events (differing only in message) before they are combined. */
  aggregateMaxEvents: 10,
  /** defaultAggregateIntervalInSeconds: a similar event older than this starts a new group. */
  aggregateIntervalMs: 600_000,
};

export type CorrelatorOptions = typeof CORRELATOR_DEFAULTS;

/** A bounded map that forgets the least recently used key (golang/groupcache/lru as client-go uses it). */
export class LruCache<V, K = string> {
  private readonly map = new Map<K, V>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The value, which becomes the most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as K);
  }

  /** Deletes every entry whose value passes `test`. */
  deleteWhere(test: (value: V) => boolean): void {
    for (const [key, value] of this.map) if (test(value)) this.map.delete(key);
  }
}

/** The fields of an Event the correlator looks at. */
export interface CorrelatedEvent {
  involved: { kind: string; namespace: string; name: string; uid: string; apiVersion: string; fieldPath: string };
  type: string;
  reason: string;
  message: string;
}

/** What to write for one event: a new Event, or a patch of the one already written for its key. */
export interface Correlation {
  /** The Event's name (the first occurrence's, for a repeat). */
  name: string;
  /** The message to write: the event's own, or `(combined from similar events): …`. */
  message: string;
  /** Whether the message is an aggregate one (the Event then carries no reporting controller). */
  aggregated: boolean;
  count: number;
  /** When the first occurrence was recorded (ms). */
  firstTimestamp: number;
}

/**
 * What the caches keep per key. Each record names the uid of its object (the object's own string,
 * shared with it) so that forget() finds it; the keys are digests.
 */
interface AggregateRecord {
  uid: string;
  /** Digests of the distinct messages seen in the group (never more than maxEvents - 1 after combining). */
  messages: number[];
  last: number;
}

interface LogRecord {
  uid: string;
  /** The first occurrence: its time (ms) and the sequence number its Event's name was made with. */
  firstTimestamp: number;
  sequence: number;
  count: number;
}

interface SpamRecord {
  uid: string;
  tokens: number;
  last: number;
}

/**
 * A 52-bit digest of `text` (two 26-bit FNV-1a style hashes): the caches are keyed by it instead
 * of by the key strings themselves (an object's uid, kind, namespace, name, the field path,
 * reason and message: a few hundred bytes each, kept per event).
 */
export function digest(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 16777619);
    b = Math.imul(b ^ code, 2246822519) ^ (b >>> 13);
  }
  return (a >>> 6) * 2 ** 26 + (b >>> 6);
}

/**
 * client-go's EventCorrelator for one source (the keys leave the source out: each recorder has its
 * own correlator, as each upstream broadcaster has). For every event, in this order:
 * 1. EventAggregator: events about the same object with the same type and reason are one group;
 *    once 10 distinct messages were seen in it, each with less than 10 minutes since the group's
 *    previous event, the event becomes `(combined from similar events): <message>` and is counted
 *    under the group's key instead of its own.
 * 2. eventLogger: a key seen before yields a patch of the Event first written for it (count + 1,
 *    lastTimestamp, message); a new key yields a new Event.
 * 3. EventSourceObjectSpamFilter: a token bucket per object (25 at once, one more every 5
 *    minutes); an event without a token is dropped, after steps 1 and 2 counted it, as upstream.
 * All three caches are LRUs of 4,096 entries. Time comes from `clock`; nothing is scheduled.
 * Keys and messages are kept as digests, and an Event's name is made again from its first
 * occurrence's time and sequence number: a kubelet holds a few events per pod until the pod goes,
 * so at scale the cache entries are a noticeable part of a pod's heap.
 */
export class EventCorrelator {
  private readonly aggregates: LruCache<AggregateRecord, number>;
  private readonly logs: LruCache<LogRecord, number>;
  private readonly spam: LruCache<SpamRecord, number>;
  private readonly options: CorrelatorOptions;
  private sequence = 0;

  constructor(
    private readonly clock: Clock,
    options: Partial<CorrelatorOptions> = {},
  ) {
    this.options = { ...CORRELATOR_DEFAULTS, ...options };
    this.aggregates = new LruCache(this.options.cacheSize);
    this.logs = new LruCache(this.options.cacheSize);
    this.spam = new LruCache(this.options.cacheSize);
  }

  /** The correlation of `event`, or undefined when the spam filter drops it. */
  correlate(event: CorrelatedEvent): Correlation | undefined {
    const now = this.clock.now();
    const { involved } = event;
    // getSpamKey: source + involved object.
    const uid = involved.uid;
    const objectText = `${uid}\0${involved.kind}\0${involved.namespace}\0${involved.name}\0${involved.apiVersion}`;
    const objectKey = digest(objectText);

    // EventAggregate (EventAggregatorByReasonFunc: object, type, reason; the local key is the message).
    const aggregateKey = digest(`${objectText}\0${event.type}\0${event.reason}`);
    // A record found is changed in place: get() has already made it the most recently used.
    // Without aggregation (aggregateMaxEvents Infinity) no group is kept.
    let group: AggregateRecord | undefined;
    if (Number.isFinite(this.options.aggregateMaxEvents)) {
      group = this.aggregates.get(aggregateKey);
      const messageDigest = digest(event.message);
      if (!group || now - group.last > this.options.aggregateIntervalMs) {
        // Made with its one message: one pushed onto an empty array gets room for 17.
        group = { uid, messages: [messageDigest], last: now };
        this.aggregates.set(aggregateKey, group);
      } else if (!group.messages.includes(messageDigest)) group.messages.push(messageDigest);
      group.last = now;
    }
    let key: number;
    let message = event.message;
    let aggregated = false;
    if (!group || group.messages.length < this.options.aggregateMaxEvents) {
      // getEventKey: object with fieldPath, type, reason, message.
      key = digest(`${objectText}\0${involved.fieldPath}\0${event.type}\0${event.reason}\0${event.message}`);
    } else {
      // PopAny keeps the set below the maximum; Go's pick is random, this one the oldest message.
      group.messages.shift();
      key = aggregateKey;
      message = `(combined from similar events): ${event.message}`;
      aggregated = true;
    }

    // eventObserve.
    let record = this.logs.get(key);
    if (record) record.count++;
    else {
      record = { uid, firstTimestamp: now, sequence: this.sequence++ % 1_000_000, count: 1 };
      this.logs.set(key, record);
    }
    const correlation: Correlation = {
      name: eventName(involved.name, record.firstTimestamp, record.sequence),
      message,
      aggregated,
      count: record.count,
      firstTimestamp: record.firstTimestamp,
    };

    // EventSourceObjectSpamFilter.Filter (a token bucket of golang.org/x/time/rate: full at first).
    // Without a spam filter (spamBurst Infinity) no bucket is kept.
    if (!Number.isFinite(this.options.spamBurst)) return correlation;
    let bucket = this.spam.get(objectKey);
    if (!bucket) {
      bucket = { uid, tokens: this.options.spamBurst, last: now };
      this.spam.set(objectKey, bucket);
    }
    bucket.tokens = Math.min(this.options.spamBurst, bucket.tokens + (now - bucket.last) / this.options.spamRefillMs);
    bucket.last = now;
    if (bucket.tokens < 1) return undefined;
    bucket.tokens -= 1;
    return correlation;
  }

  forget(uid: string): void {
    const ours = (record: { uid: string }) => record.uid === uid;
    this.aggregates.deleteWhere(ours);
    this.logs.deleteWhere(ours);
    this.spam.deleteWhere(ours);
  }
}

/** `<object name>.<hex of the time in nanoseconds>`; a sequence keeps names unique within one ms. */
export function eventName(objectName: string, firstTimestamp: number, sequence: number): string {
  const nanos = BigInt(firstTimestamp) * 1_000_000n + BigInt(sequence);
  return `${objectName}.${nanos.toString(16)}`;
}

/**
 * The ObjectReference an Event names its object by (reference.GetReference's fields, in its
 * order). `blanks`: kind, name and apiVersion are written as "" when the object has none, as the
 * core/v1 recorder always wrote them; the events.k8s.io recorder leaves absent fields out. A
 * field path is added only when given.
 */
export function eventReference(object: KubeObject, options: { blanks: boolean; fieldPath?: string }): ObjectReference {
  const text = (value: string | undefined) => (options.blanks ? (value ?? "") : value);
  return {
    kind: text(object.kind),
    namespace: object.metadata.namespace,
    name: text(object.metadata.name),
    uid: object.metadata.uid,
    apiVersion: text(object.apiVersion),
    resourceVersion: object.metadata.resourceVersion,
    ...(options.fieldPath ? { fieldPath: options.fieldPath } : {}),
  };
}

/**
 * An EventRecorder writing through `client`, with client-go's EventCorrelator (see above). Writes
 * are asynchronous, one at a time in the order recorded (the broadcaster's single sink goroutine),
 * and best effort: a repeat patches `count`, `lastTimestamp` and `message` of its Event (a
 * strategic merge patch, as recordEvent), and creates it again if it was deleted; a write the
 * server refuses is dropped (and logged), as upstream drops it.
 */
export function createEventRecorder(
  client: Client,
  clock: Clock,
  source: EventSource,
  options: { log?: (line: string) => void; correlator?: Partial<CorrelatorOptions> } = {},
): EventRecorder {
  const correlator = new EventCorrelator(clock, options.correlator);
  const reportingInstance = source.reportingInstance ?? source.host ?? "";
  const eventSource = source.host
    ? { component: source.component, host: source.host }
    : { component: source.component };
  let pending: Promise<void> = Promise.resolve();

  return {
    event(object, type, reason, message, fieldPath) {
      const involved = {
        kind: object.kind ?? "",
        namespace: object.metadata.namespace ?? "",
        name: object.metadata.name ?? "",
        uid: object.metadata.uid ?? "",
        apiVersion: object.apiVersion ?? "",
        fieldPath: fieldPath ?? "",
      };
      const correlation = correlator.correlate({ involved, type, reason, message });
      if (!correlation) return;
      const namespace = involved.namespace || "default";
      const now = toRfc3339(clock.now());
      const reference = eventReference(object, { blanks: true, fieldPath });
      const create = () =>
        client.create(Events, {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name: correlation.name, namespace },
          involvedObject: reference,
          reason,
          message: correlation.message,
          source: eventSource,
          firstTimestamp: toRfc3339(correlation.firstTimestamp),
          lastTimestamp: now,
          count: correlation.count,
          type,
          eventTime: null,
          // The aggregate Event is built anew by EventAggregate, without the reporting fields.
          reportingComponent: correlation.aggregated ? "" : source.component,
          reportingInstance: correlation.aggregated ? "" : reportingInstance,
        } as KubeObject);
      const write = async () => {
        try {
          if (correlation.count > 1) {
            try {
              await client.patch(Events, namespace, correlation.name, "strategic", {
                count: correlation.count,
                lastTimestamp: now,
                message: correlation.message,
              });
              return;
            } catch (error) {
              // The Event may have been deleted (or dropped before it was ever written): create it.
              if (!isNotFound(error)) throw error;
            }
          }
          await create();
        } catch (error) {
          options.log?.(
            `Server rejected event (will not retry!): ${type} ${reason} ${namespace}/${involved.name}: ${(error as Error).message ?? error}`,
          );
        }
      };
      pending = pending.then(write, write);
    },
    forget(uid) {
      correlator.forget(uid);
    },
    flush() {
      return pending;
    },
  };
}
